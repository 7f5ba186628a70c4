#include "load/yaml_tree.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <algorithm>
#include <array>
#include <cctype>
#include <unordered_map>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

namespace geosim::load {

const DocNode* DocNode::find(std::string_view key) const {
  const MapEntry* e = entry(key);
  return e ? &e->value : nullptr;
}

const MapEntry* DocNode::entry(std::string_view key) const {
  for (const auto& e : map)
    if (e.key == key) return &e;
  return nullptr;
}

std::string describe(const DocNode& n) {
  switch (n.kind) {
    case DocNode::Kind::null: return "nothing";
    case DocNode::Kind::sequence: return n.seq.empty() ? "an empty list" : "a list";
    case DocNode::Kind::map: return n.map.empty() ? "an empty mapping" : "a mapping";
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

// Byte offsets and yaml-cpp marks -> Locations: the one place that does this. Lines count from 1;
// columns count characters (UTF-8 code points) from 1, not bytes, so that a column matches what an
// editor shows. A UTF-8 byte order mark is not part of the first line (yaml-cpp skips it too).
class TextIndex {
 public:
  TextIndex(const std::string& text, std::string file) : text_(text), file_(std::move(file)) {
    starts_.push_back(text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0);
    for (std::size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') starts_.push_back(i + 1);
  }

  [[nodiscard]] const std::string& file() const { return file_; }
  [[nodiscard]] int lines() const { return static_cast<int>(starts_.size()); }
  // The bytes of 1-based line `ln`, without its line break.
  [[nodiscard]] std::size_t begin(int ln) const { return starts_[static_cast<std::size_t>(ln - 1)]; }
  [[nodiscard]] std::size_t end(int ln) const {
    std::size_t e = ln < lines() ? starts_[static_cast<std::size_t>(ln)] - 1 : text_.size();
    if (e > begin(ln) && text_[e - 1] == '\r') --e;
    return e;
  }
  [[nodiscard]] int line_of(std::size_t offset) const {
    return static_cast<int>(std::upper_bound(starts_.begin(), starts_.end(), offset) - starts_.begin());
  }

  [[nodiscard]] Location at(std::size_t offset) const {
    offset = std::min(offset, text_.size());
    const int ln = std::max(1, line_of(offset));
    int column = 1;
    for (std::size_t i = begin(ln); i < offset; ++i)
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;  // not a continuation byte
    return Location{file_, ln, column};
  }

  // yaml-cpp counts lines from 0 and columns in bytes from 0; a negative line means "unknown".
  [[nodiscard]] std::size_t offset(const YAML::Mark& m) const {
    if (m.line < 0 || m.line >= lines()) return text_.size();
    return std::min(begin(m.line + 1) + static_cast<std::size_t>(std::max(0, m.column)), text_.size());
  }
  [[nodiscard]] Location at(const YAML::Mark& m) const {
    if (m.line < 0) return Location{file_, 0, 0};
    return at(offset(m));
  }

 private:
  const std::string& text_;
  std::string file_;
  std::vector<std::size_t> starts_;  // byte offset where each line starts
};

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

// A light lexical pass over YAML text: where quoted scalars and flow collections open and close,
// which lines a tab indents, how far each block line is indented. It is not a parser; it lets a
// syntax error (or text yaml-cpp wrongly accepts) be explained in the author's terms.
struct SyntaxScan {
  static constexpr std::size_t npos = std::string::npos;
  struct Quote {
    std::size_t open, close;  // offsets of the two quote characters
  };
  std::vector<Quote> multiline_quotes;  // closed quoted scalars that span lines
  std::size_t unclosed_quote = npos;    // a quote still open at the end of the text
  std::size_t unclosed_bracket = npos;  // a '[' or '{' that the end or a less indented line cuts off
  std::vector<int> tab_lines;           // block lines whose indentation holds a tab
  std::vector<int> indent;              // per line: spaces before a block line's content, or -1
  std::vector<char> last_char;          // per line: the last character of a block line's content
  std::size_t first_content = npos;  // where the first line of content (not a '---') starts
  std::size_t second_document = npos;  // a '---' line after content: it starts another document
};

SyntaxScan scan_syntax(const std::string& text, const TextIndex& ix) {
  SyntaxScan s;
  s.indent.assign(static_cast<std::size_t>(ix.lines()) + 1, -1);
  s.last_char.assign(static_cast<std::size_t>(ix.lines()) + 1, 0);
  struct Open {
    char c;
    std::size_t at;
    int line_indent;  // indentation of the block line the outermost collection started on
  };
  std::vector<Open> flow;
  char quote = 0;
  std::size_t quote_open = 0;
  int quote_line = 0;
  int block_scalar = -1;  // inside a block scalar (| or >) whose line is indented this much
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  for (int ln = 1; ln <= ix.lines(); ++ln) {
    const std::size_t b = ix.begin(ln), e = ix.end(ln);
    std::size_t i = b;
    int spaces = 0;
    bool tab = false;
    for (; i < e && blank(text[i]); ++i) {
      if (text[i] == '\t') tab = true;
      else if (!tab) ++spaces;
    }
    const bool empty = i == e || (text[i] == '#' && quote == 0);
    if (block_scalar >= 0) {
      if (i == e || spaces > block_scalar) continue;  // the block scalar's text
      block_scalar = -1;
    }
    if (quote == 0 && !empty) {
      const bool closes_flow = text[i] == ']' || text[i] == '}';
      if (!flow.empty() && spaces <= flow.front().line_indent && !closes_flow) {
        // A flow collection must stay indented more than the line it started on.
        if (s.unclosed_bracket == SyntaxScan::npos) s.unclosed_bracket = flow.back().at;
        flow.clear();
      }
      if (flow.empty()) {
        s.indent[static_cast<std::size_t>(ln)] = spaces;
        if (tab) s.tab_lines.push_back(ln);
        const bool marker =
            spaces == 0 && !tab && text.compare(b, 3, "---") == 0 && (b + 3 == e || blank(text[b + 3]));
        if (marker && s.first_content != SyntaxScan::npos && s.second_document == SyntaxScan::npos)
          s.second_document = b;
        if (!marker && text[i] != '%' && s.first_content == SyntaxScan::npos) s.first_content = i;
      }
    }
    bool node_start = true;  // where a node may start: quotes and brackets open one there
    char last = 0;
    for (std::size_t k = i; k < e; ++k) {
      const char c = text[k];
      if (quote) {
        if (quote == '"' && c == '\\') {
          ++k;
        } else if (c == quote) {
          if (quote == '\'' && k + 1 < e && text[k + 1] == '\'') {
            ++k;  // '' is a quote inside single quotes
          } else {
            if (quote_line != ln) s.multiline_quotes.push_back({quote_open, k});
            quote = 0;
            node_start = false;
            last = c;
          }
        }
        continue;
      }
      if (blank(c)) continue;
      if (c == '#' && (k == b || blank(text[k - 1]))) break;  // a comment
      last = c;
      const bool spaced = k + 1 >= e || blank(text[k + 1]);
      if ((c == '"' || c == '\'') && node_start) {
        quote = c;
        quote_open = k;
        quote_line = ln;
      } else if ((c == '[' || c == '{') && (node_start || !flow.empty())) {
        flow.push_back({c, k, flow.empty() ? spaces : flow.front().line_indent});
        node_start = true;
      } else if ((c == ']' || c == '}') && !flow.empty()) {
        if (flow.back().c != (c == ']' ? '[' : '{') && s.unclosed_bracket == SyntaxScan::npos)
          s.unclosed_bracket = flow.back().at;
        flow.pop_back();
        node_start = false;
      } else if (c == ',' && !flow.empty()) {
        node_start = true;
      } else if (c == ':' && (spaced || (!flow.empty() && k > b && (text[k - 1] == '"' ||
                                                                       text[k - 1] == '\'')))) {
        node_start = true;
      } else if ((c == '-' || c == '?') && node_start && spaced) {
        // a sequence entry or an explicit key: a node may still start
      } else if ((c == '&' || c == '!') && node_start) {
        while (k + 1 < e && !blank(text[k + 1])) ++k;  // an anchor or a tag precedes the node
      } else if ((c == '|' || c == '>') && node_start && flow.empty()) {
        std::size_t r = k + 1;
        while (r < e && (std::isdigit(static_cast<unsigned char>(text[r])) || text[r] == '+' ||
                         text[r] == '-'))
          ++r;
        while (r < e && blank(text[r])) ++r;
        if (r == e || text[r] == '#') {
          block_scalar = s.indent[static_cast<std::size_t>(ln)] >= 0 ? spaces : 0;
          break;
        }
        node_start = false;
      } else {
        node_start = false;
      }
    }
    if (s.indent[static_cast<std::size_t>(ln)] >= 0) s.last_char[static_cast<std::size_t>(ln)] = last;
  }
  if (quote) s.unclosed_quote = quote_open;
  if (!flow.empty() && s.unclosed_bracket == SyntaxScan::npos) s.unclosed_bracket = flow.back().at;
  return s;
}

// A syntax error as the author would put it, when the text shows its likely cause; otherwise
// yaml-cpp's own words at yaml-cpp's position. `at` is the byte offset yaml-cpp stopped at.
Diagnostic explain_syntax_error(const std::string& text, const TextIndex& ix, std::size_t at,
                                const std::string& yaml_message) {
  const SyntaxScan s = scan_syntax(text, ix);
  const int error_line = ix.line_of(at);
  auto said = [&](Location where, std::string message, std::string hint = {}) {
    return Diagnostic{std::move(where), "", "not valid YAML: " + std::move(message), std::move(hint)};
  };
  auto never_closed = [&](std::size_t open) {
    return said(ix.at(open), "the quoted text starting here is never closed",
                fmt::format("close it with {} on the same line", text[open]));
  };
  if (s.unclosed_quote != SyntaxScan::npos && s.unclosed_quote <= at)
    return never_closed(s.unclosed_quote);
  // A quote left open swallows the line break and ends at the next quote, and the error follows.
  for (const auto& q : s.multiline_quotes)
    if (ix.line_of(q.close) == error_line && q.close < at) return never_closed(q.open);
  for (const int ln : s.tab_lines)
    if (ln <= error_line)
      return said(Location{ix.file(), ln, 1}, "a tab indents this line; YAML indentation must use spaces");
  if (s.unclosed_bracket != SyntaxScan::npos && s.unclosed_bracket < at) {
    const char open = text[s.unclosed_bracket];
    return said(ix.at(s.unclosed_bracket), fmt::format("the '{}' here is never closed", open),
                fmt::format("close it with '{}'", open == '[' ? ']' : '}'));
  }
  // An error on a block line indented unlike the lines around it.
  const auto line_indent = [&](int ln) { return s.indent[static_cast<std::size_t>(ln)]; };
  if (error_line >= 1 && error_line <= ix.lines() && line_indent(error_line) >= 0) {
    const int mine = line_indent(error_line);
    const std::size_t first = ix.begin(error_line) + static_cast<std::size_t>(mine);
    // `name:` starts the line: it was meant as a key (not as more of a long text above).
    std::size_t k = first;
    while (k < text.size() && (std::isalnum(static_cast<unsigned char>(text[k])) || text[k] == '_' ||
                               text[k] == '-' || text[k] == '.'))
      ++k;
    const bool starts_with_key = k > first && k < ix.end(error_line) && text[k] == ':' &&
                                 (k + 1 == ix.end(error_line) || text[k + 1] == ' ');
    int prev = error_line - 1;
    while (prev >= 1 && line_indent(prev) < 0) --prev;
    if (prev >= 1) {
      // The indentations still open above: each line less indented than the ones after it.
      std::vector<int> levels = {line_indent(prev)};
      for (int ln = prev - 1; ln >= 1; --ln)
        if (line_indent(ln) >= 0 && line_indent(ln) < levels.back()) levels.push_back(line_indent(ln));
      const bool is_level = std::find(levels.begin(), levels.end(), mine) != levels.end();
      if (mine < levels.front() && !is_level) {
        int target = levels.front();
        for (const int l : levels)
          if (l > mine) target = l;
        return said(ix.at(first), "this line is indented less than the lines of its mapping",
                    fmt::format("the mapping above is indented by {} spaces", target));
      }
      const char opener = s.last_char[static_cast<std::size_t>(prev)];
      if (mine > levels.front() && starts_with_key && opener != ':' && opener != '-' &&
          opener != '|' && opener != '>')
        return said(ix.at(first), "this line is indented more than the lines of its mapping",
                    levels.front() == 0
                        ? std::string("the line above is not indented")
                        : fmt::format("the line above is indented by {} spaces", levels.front()));
    }
  }
  return said(ix.at(at), yaml_message);
}

// True if yaml-cpp reads a second document in `text`. It is asked for two documents at most:
// on some broken input YAML::LoadAll finds new empty documents without end.
bool has_second_document(const std::string& text) {
  struct Ignore : YAML::EventHandler {
    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
  };
  std::istringstream in(text);
  YAML::Parser parser(in);
  Ignore ignore;
  try {
    return parser.HandleNextDocument(ignore) && parser.HandleNextDocument(ignore);
  } catch (const YAML::Exception&) {
    return true;  // the first document was read (it loaded); the error is in what follows it
  }
}

struct Converter {
  const TextIndex& index;
  const std::string& text;
  DiagnosticSink& sink;
  const ParseLimits& limits;
  std::size_t unclosed_quote = std::string::npos;  // from the scan: a quote never closed
  bool swallowed = false;  // a quoted scalar opens at unclosed_quote: it ran to the end of the text
  std::size_t nodes = 0;
  bool aborted = false;

  Location loc(const YAML::Mark& m) const { return index.at(m); }

  // An empty value (`key:` and nothing) has no position of its own: yaml-cpp gives the next
  // token's. Place it just after the key's ':' instead.
  Location empty_value_location(const YAML::Node& key, const YAML::Node& value) const {
    const std::size_t v = index.offset(value.Mark());
    std::size_t p = index.offset(key.Mark());
    const int ln = index.line_of(p);
    const bool written = v < text.size() && (text[v] == '~' || text[v] == 'n' || text[v] == 'N');
    if (written && index.line_of(v) == ln) return loc(value.Mark());  // `key: ~` or `key: null`
    const std::size_t e = index.end(ln);
    if (p < e && (text[p] == '"' || text[p] == '\'')) {
      const std::size_t close = text.find(text[p], p + 1);
      p = close == std::string::npos ? e : close + 1;
    } else {
      p += key.Scalar().size();
    }
    while (p < e && (text[p] == ' ' || text[p] == '\t')) ++p;
    if (p < e && text[p] == ':') return index.at(p + 1);
    return loc(key.Mark());
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
        if (out.quoted && index.offset(y.Mark()) == unclosed_quote) swallowed = true;
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
        std::unordered_map<std::string, int> first_line;
        for (const auto& kv : y) {
          MapEntry e;
          e.key_where = loc(kv.first.Mark());
          if (!kv.first.IsScalar()) {
            sink.error(e.key_where, "", "expected a plain key (a name), got a complex key");
            continue;
          }
          e.key = kv.first.Scalar();
          const std::string key_path = path.empty() ? e.key : path + "." + e.key;
          if (const auto [it, fresh] = first_line.emplace(e.key, e.key_where.line); !fresh) {
            sink.error(e.key_where, key_path,
                       "duplicate key: this key appears earlier in the same mapping",
                       fmt::format("first given at line {}", it->second));
            continue;
          }
          e.value = convert(kv.second, depth + 1, key_path);
          if (e.value.is_null() && !aborted) e.value.where = empty_value_location(kv.first, kv.second);
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
  const TextIndex index(text, file);
  if (const auto nul = text.find('\0'); nul != std::string::npos) {
    sink.error(index.at(nul), "", "expected YAML text, got binary data (a NUL byte)");
    return {};
  }
  if (const auto bad = find_invalid_utf8(text); bad != std::string::npos) {
    sink.error(index.at(bad), "", "expected UTF-8 text, got an invalid byte sequence");
    return {};
  }
  if (const auto deep = find_deep_flow_nesting(text, limits.max_depth);
      deep != std::string::npos) {
    sink.error(index.at(deep), "", fmt::format("nesting deeper than {} levels", limits.max_depth));
    return {};
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);  // the first document
  } catch (const YAML::DeepRecursion& e) {
    sink.error(index.at(e.mark), "", fmt::format("nesting deeper than {} levels", limits.max_depth));
    return {};
  } catch (const YAML::Exception& e) {
    sink.add(explain_syntax_error(text, index, index.offset(e.mark), e.msg));
    return {};
  }
  const SyntaxScan scan = scan_syntax(text, index);
  if (scan.second_document != SyntaxScan::npos && has_second_document(text))
    sink.error(index.at(scan.second_document), "", "expected one YAML document, got a second one",
               "a line '---' starts a new document; a scenario is one document");
  Converter c{index, text, sink, limits, scan.unclosed_quote};
  try {
    DocNode out = c.convert(root, 0, "");
    if (c.aborted) return {};  // a limit was hit: what was read is not worth reading further
    if (c.swallowed) {
      // yaml-cpp accepts a quote that is never closed and reads the rest of the file as text.
      sink.add(explain_syntax_error(text, index, text.size(), ""));
      return {};
    }
    if (out.where.line == 0) out.where = Location{file, 1, 1};
    return out;
  } catch (const YAML::Exception& e) {
    sink.error(Location{file, 0, 0}, "", fmt::format("not valid YAML: {}", e.msg));
    return {};
  }
}

ReadStatus read_file_limited(const std::filesystem::path& path, std::size_t max_bytes,
                             std::string& out, std::string* why) {
  out.clear();
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (why) *why = errno != 0 ? std::strerror(errno) : "the system gave no reason";
    return ReadStatus::cannot_open;
  }
  std::array<char, 64 * 1024> chunk{};
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
    out.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
    if (out.size() > max_bytes) return ReadStatus::too_large;
  }
  return ReadStatus::ok;
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
  std::string text;
  std::string why;
  switch (read_file_limited(path, limits.max_bytes, text, &why)) {
    case ReadStatus::ok: break;
    case ReadStatus::cannot_open:
      sink.error(Location{name, 0, 0}, "", "cannot open the file for reading: " + why);
      return {};
    case ReadStatus::too_large:
      sink.error(Location{name, 0, 0}, "",
                 fmt::format("file too large: over {} bytes", limits.max_bytes));
      return {};
  }
  return parse_yaml(text, name, sink, limits);
}

std::string did_you_mean_file(const std::filesystem::path& looked_for, const std::string& as_written) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::directory_iterator it(looked_for.parent_path().empty() ? fs::path(".") : looked_for.parent_path(),
                            ec);
  if (ec) return {};
  std::vector<std::string> names;
  for (std::size_t seen = 0; it != fs::directory_iterator() && seen < kMaxHintCandidates;
       it.increment(ec), ++seen) {
    if (ec) break;
    const fs::path& p = it->path();
    if ((p.extension() == ".yaml" || p.extension() == ".yml") && !it->is_directory(ec))
      names.push_back(p.filename().string());
  }
  std::sort(names.begin(), names.end());  // the folder's order is the file system's
  const std::string match = closest_match(looked_for.filename().string(), names);
  if (match.empty()) return {};
  return fmt::format("did you mean '{}'?", (fs::path(as_written).parent_path() / match).generic_string());
}

void report_unknown_keys(const DocNode& map, const std::string& path,
                         const std::vector<std::string>& allowed, DiagnosticSink& sink) {
  for (const auto& e : map.map) {
    if (std::find(allowed.begin(), allowed.end(), e.key) != allowed.end()) continue;
    std::string hint;
    if (!sink.full()) {
      hint = did_you_mean(e.key, allowed);
      if (hint.empty()) {
        hint = "known keys: ";
        for (std::size_t i = 0; i < allowed.size(); ++i) hint += (i ? ", " : "") + allowed[i];
      }
    }
    sink.error(e.key_where, path.empty() ? e.key : path + "." + e.key, "unknown key", hint);
  }
}

namespace {

void merge_at(std::vector<std::string>& keys, DocNode& base, const DocNode& over,
              const MergeHook& before_merge) {
  if (!base.is_map() || !over.is_map()) {
    base = over;
    return;
  }
  if (before_merge) before_merge(keys, base, over);
  for (const auto& e : over.map) {
    MapEntry* target = nullptr;
    for (auto& b : base.map)
      if (b.key == e.key) target = &b;
    if (target) {
      target->key_where = e.key_where;
      keys.push_back(e.key);
      merge_at(keys, target->value, e.value, before_merge);
      keys.pop_back();
    } else {
      base.map.push_back(e);
    }
  }
}

}  // namespace

void merge_into(DocNode& base, const DocNode& over, const MergeHook& before_merge) {
  std::vector<std::string> keys;
  merge_at(keys, base, over, before_merge);
}

}  // namespace geosim::load
