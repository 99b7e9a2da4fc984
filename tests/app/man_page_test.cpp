#include "app/man_page.hpp"

#include <gtest/gtest.h>

namespace zmesh::app {
namespace {

TEST(ManPage, EscapesWhatRoffWouldInterpret) {
  EXPECT_EQ(roff_escape("a\\b"), "a\\eb");
  EXPECT_EQ(roff_escape(".TH x\n'quote\nok. 'x'"), "\\&.TH x\n\\&'quote\nok. 'x'");
  EXPECT_EQ(roff_escape("--help"), "\\-\\-help");
}

TEST(ManPage, HasOneSectionPerCommandWithItsUsage) {
  const std::vector<Command> commands = {{"alpha", "do a", "Usage: zmesh alpha\n.dot line\n", nullptr},
                                         {"beta", "do b", "Usage: zmesh beta\n", nullptr}};
  const std::string page = man_page(commands, "1.2.3 (commit abc)");
  EXPECT_NE(page.find(".TH ZMESH 1 \"\" \"zmesh 1.2.3 (commit abc)\""), std::string::npos);
  EXPECT_NE(page.find(".SS alpha\ndo a.\n.PP\n.nf\nUsage: zmesh alpha\n\\&.dot line\n.fi\n"), std::string::npos) << page;
  EXPECT_NE(page.find(".SS beta\n"), std::string::npos);
  EXPECT_NE(page.find(".SH EXIT STATUS\n"), std::string::npos);
}

}  // namespace
}  // namespace zmesh::app
