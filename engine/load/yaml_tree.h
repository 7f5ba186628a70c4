// A YAML document as a plain tree that remembers, for every node, the file, line and column it
// came from. yaml-cpp is used only to parse; this tree is what the loader reads. Owning the tree
// lets us (a) merge an `extends:` chain while keeping each value's own file for error messages,
// (b) reject duplicate keys, and (c) bound the work hostile input can cause (alias expansion,
// nesting depth, size).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "geosim/error.h"

namespace geosim::load {

struct MapEntry;

struct DocNode {
  enum class Kind { null, scalar, sequence, map };
  Kind kind = Kind::null;
  std::string scalar;
  bool quoted = false;  // scalar was written in quotes (so "1" is text, not a number)
  std::vector<MapEntry> map;
  std::vector<DocNode> seq;
  Location where;

  [[nodiscard]] const DocNode* find(std::string_view key) const;
  [[nodiscard]] const MapEntry* entry(std::string_view key) const;  // the key and its value
  [[nodiscard]] bool is_map() const { return kind == Kind::map; }
  [[nodiscard]] bool is_seq() const { return kind == Kind::sequence; }
  [[nodiscard]] bool is_scalar() const { return kind == Kind::scalar; }
  [[nodiscard]] bool is_null() const { return kind == Kind::null; }
};

struct MapEntry {
  std::string key;
  Location key_where;
  DocNode value;
};

// Limits on what one document may cost to read.
struct ParseLimits {
  std::size_t max_bytes = 16u << 20;  // 16 MiB
  int max_depth = 64;
  std::size_t max_nodes = 250'000;  // after alias expansion (legit scenarios: ~10^4)
};

// Parses YAML text into a tree. Errors (syntax, duplicate keys, limits, a second document) go to
// `sink`; returns a null node if the text could not be read at all. A syntax error is explained
// in the author's terms where the text shows its cause (a tab in the indentation, a quote or a
// bracket never closed, a line indented unlike its mapping); columns count characters, not bytes.
DocNode parse_yaml(const std::string& text, const std::string& file, DiagnosticSink& sink,
                   const ParseLimits& limits = {});

// Reads a whole file into `out`, in chunks, stopping once it passes `max_bytes` (so a huge file,
// /dev/zero or an endless pipe cannot take the memory or the time). When it cannot open the file
// and `why` is given, `why` gets the system's reason ("Permission denied").
enum class ReadStatus { ok, cannot_open, too_large };
ReadStatus read_file_limited(const std::filesystem::path& path, std::size_t max_bytes,
                             std::string& out, std::string* why = nullptr);

// Reads a file and parses it. A missing or unreadable file is a diagnostic, not an exception.
DocNode parse_yaml_file(const std::filesystem::path& path, DiagnosticSink& sink,
                        const ParseLimits& limits = {});

// For a file named in another file (`extends: basline.yaml`) that does not exist at `looked_for`:
// "did you mean 'baseline.yaml'?" with the closest name among the .yaml and .yml files in the folder
// it was looked for in, written the way `as_written` was (with its folder part); "" if none is close
// or the folder cannot be read. Looks at no more than 10,000 entries of the folder.
std::string did_you_mean_file(const std::filesystem::path& looked_for, const std::string& as_written);

// Called by merge_into for every mapping of `over` laid on a mapping of `base`, before their keys
// merge, with the keys that lead to the two from the top of the document. It may drop keys of
// `base` that the keys of `over` make meaningless (and relocate `base`).
using MergeHook =
    std::function<void(const std::vector<std::string>& keys, DocNode& base, const DocNode& over)>;

// Overlays `over` on `base`: mappings merge key by key (recursively); anything else in `over`
// replaces what `base` had. New keys are appended in `over`'s order. A merged key takes the
// location of `over`'s key; a merged mapping keeps `base`'s location unless `before_merge`
// changes it.
void merge_into(DocNode& base, const DocNode& over, const MergeHook& before_merge = {});

// Reports every key of mapping `map` that is not in `allowed` as "unknown key", located at the
// key, with a did-you-mean (or the list of known keys) while the sink has room for hints.
void report_unknown_keys(const DocNode& map, const std::string& path,
                         const std::vector<std::string>& allowed, DiagnosticSink& sink);

// A short description of a node's kind for "expected X, got Y" messages.
std::string describe(const DocNode& n);

}  // namespace geosim::load
