// The commands of the ehlo program, one function each; main.cpp dispatches.
#pragma once

#include <string_view>
#include <vector>

namespace ehlo::cli {

/// ehlo run [--target HOST:PORT | --listen HOST:PORT] [OPTIONS] PATH...
int run_command(const std::vector<std::string_view>& args);

/// ehlo check (--target HOST:PORT... | --listen HOST:PORT | --self-test | --list) [OPTIONS] [PATH...]
int check_command(const std::vector<std::string_view>& args);

/// ehlo fuzz (--target HOST:PORT [--exec CMD] | --pipe CMD | --listen HOST:PORT --client-cmd CMD) [OPTIONS] SEED...
int fuzz_command(const std::vector<std::string_view>& args);

/// ehlo load --target HOST:PORT [OPTIONS] SCENARIO...
int load_command(const std::vector<std::string_view>& args);

/// ehlo report merge REPORT.json... [--report FORMAT:PATH]... [--fail-if CONDITION]...
int report_command(const std::vector<std::string_view>& args);

}  // namespace ehlo::cli
