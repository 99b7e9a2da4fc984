#include "app/flags.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace zmesh::app {
namespace {

const FlagSpec* find_spec(const std::vector<FlagSpec>& specs, std::string_view name) {
  for (const auto& s : specs)
    if (s.name == name) return &s;
  return nullptr;
}

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string short_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

Result<std::int64_t> parse_integer(std::string_view text, std::int64_t min, std::int64_t max) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (text.empty() || ec == std::errc::invalid_argument || end != text.data() + text.size())
    return make_error(Errc::invalid_argument, "expected " + range + ", got " + quoted(text));
  if (ec == std::errc::result_out_of_range || value < min || value > max)
    return make_error(Errc::invalid_argument, quoted(text) + " is out of range: expected " + range);
  return value;
}

Result<std::uint64_t> parse_unsigned(std::string_view text, std::uint64_t max) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const std::string range = "an integer from 0 to " + std::to_string(max);
  if (text.empty() || ec == std::errc::invalid_argument || end != text.data() + text.size())
    return make_error(Errc::invalid_argument, "expected " + range + ", got " + quoted(text));
  if (ec == std::errc::result_out_of_range || value > max)
    return make_error(Errc::invalid_argument, quoted(text) + " is out of range: expected " + range);
  return value;
}

Result<double> parse_number(std::string_view text, double min, double max) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const std::string range = "a number from " + short_number(min) + " to " + short_number(max);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value))
    return make_error(Errc::invalid_argument, "expected " + range + ", got " + quoted(text));
  if (value < min || value > max) return make_error(Errc::invalid_argument, quoted(text) + " is out of range: expected " + range);
  return value;
}

Result<Flags> Flags::parse(std::string_view command, int argc, char** argv, const std::vector<FlagSpec>& specs) {
  std::vector<std::string> args(argv, argv + (argc > 0 ? argc : 0));
  return parse(command, args, specs);
}

Result<Flags> Flags::parse(std::string_view command, const std::vector<std::string>& args, const std::vector<FlagSpec>& specs) {
  Flags flags;
  flags.command_ = std::string(command);
  const FlagSpec help{"help", false, true};
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      flags.positionals_.insert(flags.positionals_.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      break;
    }
    if (arg == "-h") {
      flags.given_.push_back({"help", {}});
      continue;
    }
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      if (arg.size() > 1 && arg[0] == '-' && !(arg[1] >= '0' && arg[1] <= '9'))
        return flags.usage("unknown option " + quoted(arg) + " (flags are spelled --name)");
      flags.positionals_.push_back(arg);
      continue;
    }
    const std::size_t eq = arg.find('=');
    const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const FlagSpec* spec = name == "help" ? &help : find_spec(specs, name);
    if (!spec) return flags.usage("unknown flag --" + name);
    if (!spec->repeatable && flags.last(name)) return flags.usage("--" + name + " given more than once");
    std::string value;
    if (!spec->takes_value) {
      if (eq != std::string::npos) return flags.usage("--" + name + " takes no value");
    } else if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (i + 1 < args.size() && args[i + 1].compare(0, 2, "--") != 0) {
      value = args[++i];
    } else {
      return flags.usage("--" + name + " needs a value");
    }
    flags.given_.push_back({name, std::move(value)});
  }
  return flags;
}

Error Flags::usage(std::string message) const { return make_error(Errc::invalid_argument, command_ + ": " + message); }

const Flags::Given* Flags::last(std::string_view name) const {
  for (auto it = given_.rbegin(); it != given_.rend(); ++it)
    if (it->name == name) return &*it;
  return nullptr;
}

bool Flags::has(std::string_view name) const { return last(name) != nullptr; }

std::string Flags::string(std::string_view name, std::string fallback) const {
  const Given* g = last(name);
  return g ? g->value : fallback;
}

std::vector<std::string> Flags::values(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& g : given_)
    if (g.name == name) out.push_back(g.value);
  return out;
}

Result<std::int64_t> Flags::integer(std::string_view name, std::int64_t fallback, std::int64_t min, std::int64_t max) const {
  const Given* g = last(name);
  if (!g) return fallback;
  auto v = parse_integer(g->value, min, max);
  if (!v.ok()) return usage("--" + std::string(name) + ": " + v.error().message);
  return v;
}

Result<std::uint64_t> Flags::unsigned_integer(std::string_view name, std::uint64_t fallback, std::uint64_t max) const {
  const Given* g = last(name);
  if (!g) return fallback;
  auto v = parse_unsigned(g->value, max);
  if (!v.ok()) return usage("--" + std::string(name) + ": " + v.error().message);
  return v;
}

Result<double> Flags::number(std::string_view name, double fallback, double min, double max) const {
  const Given* g = last(name);
  if (!g) return fallback;
  auto v = parse_number(g->value, min, max);
  if (!v.ok()) return usage("--" + std::string(name) + ": " + v.error().message);
  return v;
}

Status Flags::expect_positionals(std::size_t min, std::size_t max) const {
  const std::size_t n = positionals_.size();
  if (n < min) return usage("expected at least " + std::to_string(min) + " argument(s), got " + std::to_string(n));
  if (n > max) return usage("unexpected argument " + quoted(positionals_[max]));
  return {};
}

}  // namespace zmesh::app
