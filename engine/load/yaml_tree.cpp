#include "load/yaml_tree.h"

#include <fstream>
#include <sstream>
#include <unordered_set>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

namespace geosim::load {

const DocNode* DocNode::find(std::string_view key) const {
  for (const auto& e : map)
    if (e.key == key) return &e.value;
  return nullptr;
}

std::string describe(const DocNode& n) {
  switch (n.kind) {
    case DocNode::Kind::null: return "nothing";
    case DocNode::Kind::sequence: return "a list";
    case DocNode::Kind::map: return "a mapping";
    case DocNode::Kind::scalar: break;
  }
  std::string s = n.scalar;
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return fmt::format("'{}'", s);
}

namespace {

// Returns the byte offset of the first invalid UTF-8 sequence, or npos.
std::size_t find_invalid_utf8(const std::string& s) {
  std::size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  while (i < n) {
    const unsigned c = p[i];
    std::size_t len;
    unsigned min_cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      min_cp = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      min_cp = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      min_cp = 0x10000;
    } else {
      return i;
    }
    if (i + len > n) return i;
    unsigned cp = c & (0x7Fu >> len);
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3Fu);
    }
    if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string::npos;
}

Location location_at(const std::string& text, std::size_t offset, const std::string& file) {
  Location loc{file, 1, 1};
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else {
      ++loc.column;
    }
  }
  return loc;
}

// yaml-cpp 0.7 parses flow collections recursively and can overflow the stack on input such as
// ten thousand '['. Reject such nesting before handing the text to it. Block nesting is bounded by
// indentation and the size limit, and checked again on the tree.
std::size_t find_deep_flow_nesting(const std::string& text, int max_depth) {
  int depth = 0;
  char quote = 0;
  bool comment = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      comment = false;
      continue;
    }
    if (comment) continue;
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    // A quote opens a quoted scalar only at the start of a token (so "it's" is plain text).
    const char before = i == 0 ? '\n' : text[i - 1];
    const bool token_start = before == '\n' || before == ' ' || before == '\t' || before == '[' ||
                             before == '{' || before == ',' || before == ':' || before == '-';
    if (c == '#' && (before == ' ' || before == '\t' || before == '\n')) comment = true;
    else if ((c == '"' || c == '\'') && token_start) quote = c;
    else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string::npos;
}

struct Converter {
  const std::string& file;
  DiagnosticSink& sink;
  const ParseLimits& limits;
  std::size_t nodes = 0;
  bool aborted = false;

  Location loc(const YAML::Mark& m) const {
    return Location{file, m.line >= 0 ? m.line + 1 : 0, m.column >= 0 ? m.column + 1 : 0};
  }

  DocNode convert(const YAML::Node& y, int depth, const std::string& path) {
    DocNode out;
    if (aborted) return out;
    if (++nodes > limits.max_nodes) {
      sink.error(loc(y.Mark()), "",
                 fmt::format("document too large: more than {} values after expanding aliases "
                             "(an alias bomb?)",
                             limits.max_nodes));
      aborted = true;
      return out;
    }
    if (depth > limits.max_depth) {
      sink.error(loc(y.Mark()), "",
                 fmt::format("nesting deeper than {} levels", limits.max_depth));
      aborted = true;
      return out;
    }
    out.where = loc(y.Mark());
    switch (y.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null: out.kind = DocNode::Kind::null; break;
      case YAML::NodeType::Scalar:
        out.kind = DocNode::Kind::scalar;
        out.scalar = y.Scalar();
        out.quoted = (y.Tag() == "!");
        break;
      case YAML::NodeType::Sequence:
        out.kind = DocNode::Kind::sequence;
        for (const auto& item : y) {
          out.seq.push_back(convert(item, depth + 1, fmt::format("{}[{}]", path, out.seq.size())));
          if (aborted) break;
        }
        break;
      case YAML::NodeType::Map: {
        out.kind = DocNode::Kind::map;
        std::unordered_set<std::string> seen;
        for (const auto& kv : y) {
          MapEntry e;
          e.key_where = loc(kv.first.Mark());
          if (!kv.first.IsScalar()) {
            sink.error(e.key_where, "", "expected a plain key (a name), got a complex key");
            continue;
          }
          e.key = kv.first.Scalar();
          const std::string key_path = path.empty() ? e.key : path + "." + e.key;
          if (!seen.insert(e.key).second) {
            sink.error(e.key_where, key_path,
                       "duplicate key: this key appears earlier in the same mapping");
            continue;
          }
          e.value = convert(kv.second, depth + 1, key_path);
          out.map.push_back(std::move(e));
          if (aborted) break;
        }
        break;
      }
    }
    return out;
  }
};

}  // namespace

DocNode parse_yaml(const std::string& text, const std::string& file, DiagnosticSink& sink,
                   const ParseLimits& limits) {
  if (text.size() > limits.max_bytes) {
    sink.error(Location{file, 0, 0}, "",
               fmt::format("file too large: {} bytes, the limit is {} bytes", text.size(),
                           limits.max_bytes));
    return {};
  }
  if (const auto nul = text.find('\0'); nul != std::string::npos) {
    sink.error(location_at(text, nul, file), "",
               "expected YAML text, got binary data (a NUL byte)");
    return {};
  }
  if (const auto bad = find_invalid_utf8(text); bad != std::string::npos) {
    sink.error(location_at(text, bad, file), "", "expected UTF-8 text, got an invalid byte sequence");
    return {};
  }
  if (const auto deep = find_deep_flow_nesting(text, limits.max_depth);
      deep != std::string::npos) {
    sink.error(location_at(text, deep, file), "",
               fmt::format("nesting deeper than {} levels", limits.max_depth));
    return {};
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    sink.error(Location{file, e.mark.line >= 0 ? e.mark.line + 1 : 0,
                        e.mark.column >= 0 ? e.mark.column + 1 : 0},
               "", fmt::format("nesting deeper than {} levels", limits.max_depth));
    return {};
  } catch (const YAML::Exception& e) {
    Location where{file, e.mark.line >= 0 ? e.mark.line + 1 : 0,
                   e.mark.column >= 0 ? e.mark.column + 1 : 0};
    sink.error(where, "", fmt::format("not valid YAML: {}", e.msg));
    return {};
  }
  Converter c{file, sink, limits};
  try {
    DocNode out = c.convert(root, 0, "");
    if (c.aborted) return {};  // a limit was hit: what was read is not worth reading further
    if (out.where.line == 0) out.where = Location{file, 1, 1};
    return out;
  } catch (const YAML::Exception& e) {
    sink.error(Location{file, 0, 0}, "", fmt::format("not valid YAML: {}", e.msg));
    return {};
  }
}

DocNode parse_yaml_file(const std::filesystem::path& path, DiagnosticSink& sink,
                        const ParseLimits& limits) {
  const std::string name = path.lexically_normal().string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    sink.error(Location{name, 0, 0}, "", "no such file");
    return {};
  }
  if (std::filesystem::is_directory(path, ec)) {
    sink.error(Location{name, 0, 0}, "", "expected a scenario file, got a directory");
    return {};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    sink.error(Location{name, 0, 0}, "", "cannot open the file for reading");
    return {};
  }
  // Read at most max_bytes + 1 so a huge file (or /dev/zero) cannot eat the memory.
  std::string text;
  text.resize(limits.max_bytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > limits.max_bytes) {
    sink.error(Location{name, 0, 0}, "",
               fmt::format("file too large: over {} bytes", limits.max_bytes));
    return {};
  }
  return parse_yaml(text, name, sink, limits);
}

void merge_into(DocNode& base, const DocNode& over) {
  if (base.is_map() && over.is_map()) {
    for (const auto& e : over.map) {
      MapEntry* target = nullptr;
      for (auto& b : base.map)
        if (b.key == e.key) target = &b;
      if (target) {
        target->key_where = e.key_where;
        merge_into(target->value, e.value);
      } else {
        base.map.push_back(e);
      }
    }
    return;
  }
  base = over;
}

}  // namespace geosim::load
