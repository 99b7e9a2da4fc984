#include "app/node_id_prefix.hpp"

#include <gtest/gtest.h>

namespace zmesh::app {
namespace {

NodeId id(const std::string& hex_start) {
  std::string hex = hex_start;
  hex.resize(64, '0');
  return NodeId::from_hex(hex).value();
}

TEST(NodeIdPrefix, NormalizesHexAndRefusesTheRest) {
  EXPECT_EQ(normalize_id_prefix("AbC123").value(), "abc123");
  EXPECT_FALSE(normalize_id_prefix("").ok());
  EXPECT_FALSE(normalize_id_prefix("xyz").ok());
  EXPECT_FALSE(normalize_id_prefix(std::string(65, 'a')).ok());
  EXPECT_EQ(normalize_id_prefix(std::string(64, 'A')).value(), std::string(64, 'a'));
}

TEST(NodeIdPrefix, MatchesUniqueAmbiguousAndNone) {
  const std::vector<NodeId> known = {id("ab12"), id("ab34"), id("cd"), id("ab12")};  // a duplicate
  EXPECT_EQ(match_id_prefix("ab1", known), std::vector<NodeId>{id("ab12")});
  EXPECT_EQ(match_id_prefix("ab", known).size(), 2u);
  EXPECT_TRUE(match_id_prefix("ef", known).empty());
  EXPECT_EQ(match_id_prefix("", known, 2).size(), 2u);  // bounded
}

TEST(NodeIdPrefix, RouteAnswersMatchesOrRefusesBadQueries) {
  const std::vector<NodeId> known = {id("ab12"), id("cd")};
  EXPECT_EQ(nodes_by_prefix_json("prefix=AB", known).value()["nodes"], nlohmann::json::array({id("ab12").hex()}));
  EXPECT_TRUE(nodes_by_prefix_json("prefix=ee", known).value()["nodes"].empty());
  EXPECT_FALSE(nodes_by_prefix_json("node_id=ab", known).ok());
  EXPECT_FALSE(nodes_by_prefix_json("prefix=ab&x=1", known).ok());
  EXPECT_FALSE(nodes_by_prefix_json("prefix=zz", known).ok());
}

}  // namespace
}  // namespace zmesh::app
