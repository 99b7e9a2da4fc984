// Small bounded helpers for the line/token grammars of SDP (RFC 8866) and ICE attributes: split
// on single spaces, parse decimal integers without overflow, check character classes.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace zmesh::io::webrtc::text {

// Splits on runs of spaces; at most max_tokens (returns nullopt when there are more).
std::optional<std::vector<std::string_view>> split_spaces(std::string_view line, std::size_t max_tokens);
// Decimal digits only (1..20 of them), no sign, value ≤ max.
std::optional<std::uint64_t> parse_decimal(std::string_view digits, std::uint64_t max);
// RFC 8839 §5.1 ice-char: ALPHA / DIGIT / "+" / "/".
bool is_ice_chars(std::string_view text);
// Visible ASCII without spaces (token-ish values: mids, addresses, hash names).
bool is_visible_ascii(std::string_view text);
bool iequals(std::string_view a, std::string_view b);

}  // namespace zmesh::io::webrtc::text
