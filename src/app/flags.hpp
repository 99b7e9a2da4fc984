// A tiny command-line flag parser for `zmesh` commands (no external library).
//   --name value   --name=value   --switch   -- (ends flags; the rest are positionals)
// Flags must be declared; an undeclared flag, a missing value, a value given to a switch,
// or a non-repeatable flag given twice is a usage error with a message that names the
// command and the flag. Values are read with typed, range-checked accessors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace zmesh::app {

struct FlagSpec {
  std::string name;         // without the dashes: "nodes"
  bool takes_value = true;  // false: a switch (--verbose)
  bool repeatable = false;  // true: --peer a --peer b keeps both
};

class Flags {
 public:
  // `args` are the command's own arguments (after the command name); `command` (e.g.
  // "zmesh demo") prefixes error messages. --help / -h are always accepted as switches.
  static Result<Flags> parse(std::string_view command, const std::vector<std::string>& args, const std::vector<FlagSpec>& specs);
  static Result<Flags> parse(std::string_view command, int argc, char** argv, const std::vector<FlagSpec>& specs);

  bool has(std::string_view name) const;
  // The last value given, or `fallback`.
  std::string string(std::string_view name, std::string fallback = {}) const;
  // Every value given, in order (for repeatable flags).
  std::vector<std::string> values(std::string_view name) const;
  // Integers in [min, max], decimal (an optional leading '-'), nothing else.
  Result<std::int64_t> integer(std::string_view name, std::int64_t fallback, std::int64_t min, std::int64_t max) const;
  Result<std::uint64_t> unsigned_integer(std::string_view name, std::uint64_t fallback, std::uint64_t max = UINT64_MAX) const;
  // Finite decimal numbers in [min, max] ("0.05", "1e-3").
  Result<double> number(std::string_view name, double fallback, double min, double max) const;

  const std::vector<std::string>& positionals() const { return positionals_; }
  // A usage error unless there are between min and max positionals.
  Status expect_positionals(std::size_t min, std::size_t max) const;

 private:
  struct Given {
    std::string name;
    std::string value;
  };
  const Given* last(std::string_view name) const;
  Error usage(std::string message) const;

  std::string command_;
  std::vector<Given> given_;
  std::vector<std::string> positionals_;
};

// The same checks for text that does not come from a flag (positionals, config values).
Result<std::int64_t> parse_integer(std::string_view text, std::int64_t min, std::int64_t max);
Result<std::uint64_t> parse_unsigned(std::string_view text, std::uint64_t max = UINT64_MAX);
Result<double> parse_number(std::string_view text, double min, double max);

}  // namespace zmesh::app
