// Key files: a node's secret keys on disk (identity signing keys and onion keys), so that a
// node keeps its NodeId across restarts. Only drivers (src/app, tests) call the file functions;
// encode()/decode() are pure and are what the tests and the fuzzer exercise.
//
// Safety rules, because a lost or swapped identity is worse than a refused start:
//  * written with mode 0600 to a temporary file in the same directory, fsync'ed, then renamed
//    (or hard-linked when it must not replace anything), and the directory fsync'ed;
//  * a file with any group/other permission bit is refused (like ssh does for private keys);
//  * a damaged file (checksum, truncation) and a foreign or inconsistent one (NodeId or public
//    keys that do not belong to the secret keys) are refused with distinct messages;
//  * no silent regeneration: load_or_create() creates a key file only if none exists.
// Format: docs/protocol/keyfile.md.
#pragma once

#include <string>

#include "crypto/secure.hpp"
#include "identity/identity.hpp"
#include "runtime/random.hpp"
#include "util/result.hpp"

namespace zmesh::keyfile {

inline constexpr std::size_t kMaxBytes = 64 * 1024;
inline constexpr std::uint16_t kVersion = 1;

// The file contents, in guarded memory.
crypto::SecretBytes encode(const NodeKeys& keys);
// Checks everything (magic, checksum, lengths, NodeId, and that every secret key belongs to
// its public key by a sign/verify and an encapsulate/decapsulate round). `random` drives
// those self-tests only. Errors: "not a zMesh key file", "key file damaged ...",
// "unsupported key file version N", "foreign or inconsistent key file ...".
Result<NodeKeys> decode(ByteView file, RandomSource& random);

// Replaces `path` atomically (for rotation).
Status save(const std::string& path, const NodeKeys& keys);
// Like save(), but fails (without touching it) when `path` already exists.
Status create(const std::string& path, const NodeKeys& keys);
// not_found when the file does not exist; io_error when it cannot be read or its permissions
// are too open; otherwise decode()'s errors, prefixed with the path.
Result<NodeKeys> load(const std::string& path, RandomSource& random);
// Loads `path`; only when it does not exist, generates keys (onion key valid from `now`) and
// creates it. Any other failure is returned: a damaged key file is never replaced silently.
Result<NodeKeys> load_or_create(const std::string& path, RandomSource& random, UnixSeconds now);

}  // namespace zmesh::keyfile
