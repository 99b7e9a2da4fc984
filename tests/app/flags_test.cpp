// The flag parser every `zmesh` command uses (src/app/flags.hpp).
#include <gtest/gtest.h>

#include "app/command.hpp"
#include "app/flags.hpp"

namespace zmesh::app {
namespace {

const std::vector<FlagSpec> kSpecs = {{"nodes"}, {"loss"}, {"seed"}, {"peer", true, true}, {"verbose", false}};

Result<Flags> parse(std::vector<std::string> args) { return Flags::parse("zmesh test", args, kSpecs); }

TEST(Flags, BothSpellingsRepeatsSwitchesAndPositionals) {
  auto f = parse({"--nodes", "12", "--loss=0.25", "--peer", "a", "file", "--peer=b", "--verbose", "--", "--nodes"});
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(*f->integer("nodes", 0, 1, 100), 12);
  EXPECT_DOUBLE_EQ(*f->number("loss", 0, 0, 1), 0.25);
  EXPECT_EQ(f->values("peer"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(f->has("verbose"));
  EXPECT_FALSE(f->has("seed"));
  EXPECT_EQ(*f->unsigned_integer("seed", 7), 7u);
  EXPECT_EQ(f->positionals(), (std::vector<std::string>{"file", "--nodes"}));
  EXPECT_TRUE(f->expect_positionals(2, 2).ok());
  EXPECT_FALSE(f->expect_positionals(0, 1).ok());
}

TEST(Flags, NegativeNumbersAreValuesNotFlags) {
  auto f = Flags::parse("zmesh test", std::vector<std::string>{"--nodes", "-3"}, kSpecs);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*f->integer("nodes", 0, -5, 5), -3);
}

TEST(Flags, UsageErrorsNameTheCommandAndTheFlag) {
  auto expect_error = [](std::vector<std::string> args, const std::string& needle) {
    auto f = parse(args);
    ASSERT_FALSE(f.ok()) << needle;
    EXPECT_NE(f.error().message.find("zmesh test: "), std::string::npos) << f.error().message;
    EXPECT_NE(f.error().message.find(needle), std::string::npos) << f.error().message;
  };
  expect_error({"--bogus"}, "unknown flag --bogus");
  expect_error({"--nodes"}, "--nodes needs a value");
  expect_error({"--nodes", "--loss", "1"}, "--nodes needs a value");
  expect_error({"--nodes", "1", "--nodes", "2"}, "--nodes given more than once");
  expect_error({"--verbose=yes"}, "--verbose takes no value");
  expect_error({"-x"}, "unknown option '-x'");
}

TEST(Flags, TypedValuesAreStrictAndRangeChecked) {
  auto bad = [](std::vector<std::string> args, auto read) {
    auto f = parse(args);
    ASSERT_TRUE(f.ok());
    auto v = read(*f);
    ASSERT_FALSE(v.ok());
    EXPECT_NE(v.error().message.find("zmesh test: --"), std::string::npos) << v.error().message;
  };
  for (std::string text : {"", "12x", "x12", "1.5", " 1", "0x10", "101", "0"})
    bad({"--nodes=" + text}, [](const Flags& f) { return f.integer("nodes", 5, 1, 100); });
  for (std::string text : {"-1", "18446744073709551616", "1e3"})
    bad({"--seed=" + text}, [](const Flags& f) { return f.unsigned_integer("seed", 0); });
  for (std::string text : {"nan", "inf", "1.5", "-0.1", "0.5x", ""})
    bad({"--loss=" + text}, [](const Flags& f) { return f.number("loss", 0, 0, 1); });
  EXPECT_EQ(*parse_unsigned("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(*parse_integer("-9223372036854775808", INT64_MIN, INT64_MAX), INT64_MIN);
  EXPECT_DOUBLE_EQ(*parse_number("1e-3", 0, 1), 0.001);
}

TEST(Commands, TableIsSortedAndFindsByName) {
  register_command(Command{"zz-test", "a test command", "Usage: zmesh zz-test\n", [](int, char**) { return 0; }});
  register_command(Command{"aa-test", "a test command", "Usage: zmesh aa-test\n", [](int, char**) { return 0; }});
  const auto& all = commands();
  ASSERT_GE(all.size(), 2u);
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_LT(std::string(all[i - 1].name), std::string(all[i].name));
  ASSERT_NE(find_command("zz-test"), nullptr);
  EXPECT_EQ(find_command("zz-test")->run(0, nullptr), 0);
  EXPECT_EQ(find_command("nope"), nullptr);
}

}  // namespace
}  // namespace zmesh::app
