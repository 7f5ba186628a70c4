// The figures and the HTML report: tools/plot.py and tools/report.py, run on a real run of the toy
// scenario with Debian's /usr/bin/python3 (which has matplotlib). The browser test renders the
// report headless in Chromium when `chromium` is on PATH and is skipped otherwise
// (tools/setup.sh --browser installs it).
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace fs = std::filesystem;

namespace {

constexpr const char* kPython = "/usr/bin/python3";

struct Result {
  int status = -1;
  std::string output;  // stdout and stderr together
};

Result run(const std::string& cmd) {
  Result r;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string q(const fs::path& p) { return std::string("'").append(p.string()).append("'"); }

fs::path source(const std::string& rel) { return fs::path(GEOSIM_SOURCE_DIR) / rel; }

// The 8-byte PNG signature, then the IHDR chunk with width and height (big-endian).
bool is_png(const std::string& bytes) {
  static const std::string sig("\x89PNG\r\n\x1a\n", 8);
  return bytes.size() > 24 && bytes.compare(0, 8, sig) == 0 && bytes.compare(12, 4, "IHDR") == 0;
}

std::uint32_t be32(const std::string& b, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3]));
}

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

class Report : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / fmt::format("geosim_report_test_{}", ::getpid());
    fs::create_directories(dir_);
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void SetUp() override {
    const auto mpl = run(fmt::format("{} -c 'import matplotlib'", kPython));
    ASSERT_EQ(mpl.status, 0) << kPython << " cannot import matplotlib; install python3-matplotlib "
                             << "(tools/setup.sh):\n" << mpl.output;
  }

  static fs::path toy() { return source("scenarios/toy/standoff.yaml"); }

  // A real run of the toy scenario (2000 runs, seed 7), made once per test process.
  static fs::path summary() {
    const fs::path out = dir_ / "toy.json";
    if (!fs::exists(out)) {
      const auto r = run(fmt::format("'{}' run {} --runs 2000 --seed 7 --json {} --quiet", GEOSIM_BINARY,
                                     q(toy()), q(out)));
      EXPECT_EQ(r.status, 0) << r.output;
    }
    return out;
  }

  // The report of the toy scenario, made once per test process.
  static fs::path report() {
    const fs::path out = dir_ / "toy_report.html";
    if (!fs::exists(out)) {
      const auto r = run(fmt::format("{} {} --geosim '{}' --scenario {} --out {} --runs 2000 --seed 7 "
                                     "--seeds {} --quiet",
                                     kPython, q(source("tools/report.py")), GEOSIM_BINARY, q(toy()),
                                     q(out), q(dir_ / "no_such_seeds_folder")));
      EXPECT_EQ(r.status, 0) << r.output;
    }
    return out;
  }

  static std::string plot(const std::string& args) {
    return fmt::format("{} {} {}", kPython, q(source("tools/plot.py")), args);
  }

  static inline fs::path dir_;
};

// The figures `plot.py all` draws for the toy (it has no yes/no indicators, so no `flags`).
const std::vector<std::string> kToyFigures = {"outcomes", "rungs", "indicators", "scores"};

void expect_png(const fs::path& p) {
  ASSERT_TRUE(fs::exists(p)) << p;
  const std::string bytes = read_file(p);
  EXPECT_TRUE(is_png(bytes)) << p << " is not a PNG";
  EXPECT_GT(bytes.size(), 10'000u) << p << " is suspiciously small";
}

void expect_svg(const fs::path& p) {
  ASSERT_TRUE(fs::exists(p)) << p;
  const std::string text = read_file(p);
  EXPECT_GT(text.size(), 10'000u) << p << " is suspiciously small";
  EXPECT_NE(text.find("<svg"), std::string::npos) << p;
  EXPECT_NE(text.find("</svg>"), std::string::npos) << p << " is truncated";
}

TEST_F(Report, PlotAllWritesEveryFigureAsPngAndSvg) {
  const fs::path out = dir_ / "figs";
  const auto r = run(plot(fmt::format("all {} --outdir {} --scenario {}", q(summary()), q(out), q(toy()))));
  ASSERT_EQ(r.status, 0) << r.output;
  for (const auto& stem : kToyFigures) {
    expect_png(out / (stem + ".png"));
    expect_svg(out / (stem + ".svg"));
  }
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(out)) ++files;
  EXPECT_EQ(files, 2 * kToyFigures.size()) << "plot.py all left other files (temporary files?) in " << out;
}

TEST_F(Report, EachPlotCommandWritesItsFigure) {
  const auto s = q(summary());
  struct Case {
    std::string args, file;
  };
  const std::vector<Case> cases = {
      {"outcomes " + s, "outcomes.svg"},
      {"rungs " + s, "rungs.png"},
      {"indicator " + s + " --name casualties", "casualties.png"},
      {"indicator " + s + " --name casualties --name escalation_score.red", "two.svg"},
  };
  for (const auto& c : cases) {
    const fs::path out = dir_ / "single" / c.file;
    const auto r = run(plot(c.args + " -o " + q(out)));
    ASSERT_EQ(r.status, 0) << c.args << "\n" << r.output;
    if (out.extension() == ".png") expect_png(out);
    else expect_svg(out);
  }
}

TEST_F(Report, CompareFigureFromARealComparison) {
  // A variant of the toy with a more resolute Red, built on it with `extends:`.
  const fs::path variant = dir_ / "hawkish_red.yaml";
  std::ofstream(variant) << "extends: " << toy().string() << "\nname: toy_hawkish_red\n"
                         << "actors:\n  red:\n    resolve: 0.8\n";
  const fs::path cmp = dir_ / "cmp.json";
  const auto c = run(fmt::format("'{}' compare {} {} --runs 1000 --seed 7 --json {}", GEOSIM_BINARY,
                                 q(toy()), q(variant), q(cmp)));
  ASSERT_EQ(c.status, 0) << c.output;
  for (const char* name : {"cmp.png", "cmp.svg"}) {
    const fs::path out = dir_ / name;
    const auto r = run(plot(fmt::format("compare {} -o {}", q(cmp), q(out))));
    ASSERT_EQ(r.status, 0) << r.output;
    if (out.extension() == ".png") expect_png(out);
    else expect_svg(out);
  }
}

TEST_F(Report, PlotErrorsAreClear) {
  const auto bad = run(plot(fmt::format("indicator {} --name no_such_thing -o {}", q(summary()),
                                        q(dir_ / "x.png"))));
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.output.find("no indicator 'no_such_thing'"), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find("casualties"), std::string::npos) << "should list the indicators: " << bad.output;

  const auto wrong = run(plot(fmt::format("compare {} -o {}", q(summary()), q(dir_ / "x.png"))));
  EXPECT_EQ(wrong.status, 2);
  EXPECT_NE(wrong.output.find("geosim-comparison/1"), std::string::npos) << wrong.output;

  // A study figure on a folder without its table says which table and how to make it.
  fs::create_directories(dir_ / "empty_study");
  const auto none = run(plot(fmt::format("sobol {} -o {}", q(dir_ / "empty_study"), q(dir_ / "study.png"))));
  EXPECT_EQ(none.status, 2);
  EXPECT_NE(none.output.find("sobol.csv does not exist"), std::string::npos) << none.output;
  EXPECT_NE(none.output.find("geosim analyze"), std::string::npos) << none.output;
  EXPECT_FALSE(fs::exists(dir_ / "x.png"));
  EXPECT_FALSE(fs::exists(dir_ / "study.png"));
}

// A tiny real study of the toy (`geosim sweep` then `geosim analyze --prim`), made once per test
// process under dir_/KIND. KIND is "sobol" or "morris"; both also get PRIM on p_war.
fs::path study_dir(const fs::path& root, const std::string& kind) {
  const fs::path dir = root / fmt::format("study_{}", kind);
  if (fs::exists(dir / "prim.csv")) return dir;
  const fs::path yaml = root / fmt::format("study_{}.yaml", kind);
  std::ofstream(yaml) << "study: 1\nname: tiny_" << kind << "\nscenario: "
                      << (fs::path(GEOSIM_SOURCE_DIR) / "scenarios/toy/standoff.yaml").string()
                      << "\nseed: 3\nruns_per_point: 60\n"
                      << (kind == "sobol" ? "design: {kind: sobol, base_points: 8}\n"
                                          : "design: {kind: morris, trajectories: 4, levels: 4}\n")
                      << "factors:\n"
                         "  blue_resolve: {low: 0.0, high: 1.0}\n"
                         "  talks_succeed: {low: 0.05, high: 0.6}\n"
                         "  skirmish_rate: {low: 0.5, high: 4.0}\n"
                         "outputs:\n"
                         "  p_talks: {end_state: talks}\n"
                         "  p_war: {reached_rung: war}\n";
  const auto s = run(fmt::format("'{}' sweep {} --out {}", GEOSIM_BINARY, q(yaml), q(dir)));
  EXPECT_EQ(s.status, 0) << s.output;
  const auto a = run(fmt::format("'{}' analyze {} --prim p_war --threshold 0.05 --bootstrap 100", GEOSIM_BINARY,
                                 q(dir)));
  EXPECT_EQ(a.status, 0) << a.output;
  return dir;
}

TEST_F(Report, StudyFiguresFromARealSweep) {
  const fs::path sobol = study_dir(dir_, "sobol");
  const fs::path morris = study_dir(dir_, "morris");
  ASSERT_TRUE(fs::exists(sobol / "sobol.csv")) << sobol;
  ASSERT_TRUE(fs::exists(morris / "morris.csv")) << morris;
  struct Case {
    std::string cmd;
    fs::path folder;
  };
  const std::vector<Case> cases = {{"sobol", sobol}, {"prim", sobol}, {"morris", morris}, {"prim", morris}};
  for (const auto& c : cases) {
    for (const char* ext : {"png", "svg"}) {
      const fs::path out = dir_ / "study_figs" / fmt::format("{}_{}.{}", c.cmd, c.folder.filename().string(), ext);
      const auto r = run(plot(fmt::format("{} {} -o {}", c.cmd, q(c.folder), q(out))));
      ASSERT_EQ(r.status, 0) << c.cmd << " " << c.folder << "\n" << r.output;
      if (out.extension() == ".png") expect_png(out);
      else expect_svg(out);
    }
  }
  // The study's name (from study.sqlite) is in the title: the SVG draws text as paths, but
  // matplotlib writes each text as a <!-- text --> comment too.
  const std::string svg = read_file(dir_ / "study_figs" / "sobol_study_sobol.svg");
  EXPECT_NE(svg.find("tiny_sobol"), std::string::npos) << "the study's name should be in the title";

  // `study DIR --outdir D` writes every figure the folder allows and nothing else.
  const fs::path all = dir_ / "study_all";
  const auto r = run(plot(fmt::format("study {} --outdir {}", q(morris), q(all))));
  ASSERT_EQ(r.status, 0) << r.output;
  for (const char* stem : {"morris", "prim"}) {
    expect_png(all / fmt::format("{}.png", stem));
    expect_svg(all / fmt::format("{}.svg", stem));
  }
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(all)) ++files;
  EXPECT_EQ(files, 4u) << "plot.py study left other files in " << all;

  // A Morris folder has no sobol.csv: a clear error and no file.
  const auto wrong = run(plot(fmt::format("sobol {} -o {}", q(morris), q(dir_ / "no.png"))));
  EXPECT_EQ(wrong.status, 2) << wrong.output;
  EXPECT_NE(wrong.output.find("sobol.csv"), std::string::npos) << wrong.output;
  EXPECT_FALSE(fs::exists(dir_ / "no.png"));
}

TEST_F(Report, HtmlHasEverySectionFigureAndStoryAndNothingExternal) {
  const std::string html = read_file(report());
  ASSERT_FALSE(html.empty());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("</html>"), std::string::npos) << "truncated";

  for (const char* h : {"The question", "How to read this", "Summary", "Plots", "Stories",
                        "Sources and assumptions"})
    EXPECT_NE(html.find(fmt::format("<h2>{}</h2>", h)), std::string::npos) << "no section " << h;
  EXPECT_NE(html.find("How often does a standoff between two wary rivals end in talks"), std::string::npos);

  // One inline PNG per figure, the same set as `plot.py all`.
  EXPECT_EQ(count(html, "<img "), kToyFigures.size());
  EXPECT_EQ(count(html, "src=\"data:image/png;base64,iVBORw0KGgo"), kToyFigures.size());
  for (const auto& stem : kToyFigures)
    EXPECT_NE(html.find(fmt::format("id=\"fig-{}\"", stem)), std::string::npos) << stem;

  // Self-contained: no scripts, stylesheets, fonts or images from elsewhere.
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  const std::regex external_src(R"re((src|href)\s*=\s*"(?!data:|#)[^"]*")re");
  std::smatch m;
  EXPECT_FALSE(std::regex_search(html, m, external_src)) << "external reference: " << m.str();

  // The summary table, with the numbers of the run (2000 runs, seed 7: see docs/output-format.md).
  EXPECT_NE(html.find("58.7%"), std::string::npos) << "P(talks)";
  EXPECT_NE(html.find("[56.5%, 60.8%]"), std::string::npos) << "its Wilson interval";
  EXPECT_NE(html.find("2,000 runs"), std::string::npos);

  // One story per end state that occurred (talks, war, ongoing); the 'war' rung is the highest
  // rung above 1%, but the 'war' end state's story already tops out there, so no fourth story.
  EXPECT_NE(html.find("Ends in: Talks settle it"), std::string::npos);
  EXPECT_NE(html.find("Ends in: War"), std::string::npos);
  EXPECT_NE(html.find("Still going at the horizon"), std::string::npos);
  EXPECT_EQ(count(html, "<article class=\"story\""), 3u);
  EXPECT_EQ(count(html, "--seed 7 --run "), 3u) << "each story says how to reproduce it";
  EXPECT_NE(html.find("Blue chose to mobilise"), std::string::npos) << "the story text itself";

  // Sources and assumptions: the toy's parameters with their stated reasons, and its bare numbers.
  EXPECT_NE(html.find("blue_resolve"), std::string::npos);
  EXPECT_NE(html.find("Talks held by both sides succeed three weeks in ten."), std::string::npos);
  EXPECT_NE(html.find("Numbers with neither a source nor an assumption"), std::string::npos);
}

TEST_F(Report, FailsClearlyWhenGeosimFailsAndWritesNothing) {
  const fs::path bad = dir_ / "broken.yaml";
  std::ofstream(bad) << "geosim: 1\nname: broken\n";  // no time, ladder or actors
  const fs::path out = dir_ / "broken.html";
  const auto r = run(fmt::format("{} {} --geosim '{}' --scenario {} --out {} --runs 100 --quiet", kPython,
                                 q(source("tools/report.py")), GEOSIM_BINARY, q(bad), q(out)));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("report.py: error: geosim run failed"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("broken.yaml"), std::string::npos) << "geosim's own message is passed on: "
                                                             << r.output;
  EXPECT_FALSE(fs::exists(out));

  const auto nobin = run(fmt::format("{} {} --geosim {} --scenario {} --out {} --quiet", kPython,
                                     q(source("tools/report.py")), q(dir_ / "no_such_geosim"), q(toy()),
                                     q(out)));
  EXPECT_NE(nobin.status, 0);
  EXPECT_NE(nobin.output.find("cannot run geosim"), std::string::npos) << nobin.output;
  EXPECT_FALSE(fs::exists(out));
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename().string().rfind(".report-", 0), std::string::npos)
        << "temporary file left behind: " << e.path();
}

// geosim's warnings reach the reader of report.py once, though report.py runs geosim several times.
TEST_F(Report, PassesGeosimsWarningsOnOnce) {
  std::ifstream toy_in(toy());
  std::string yaml((std::istreambuf_iterator<char>(toy_in)), std::istreambuf_iterator<char>());
  yaml.replace(yaml.find("parameters:\n"), 12, "parameters:\n  spare_belief: {value: 0.5}\n");
  const fs::path spare = dir_ / "spare.yaml";
  std::ofstream(spare) << yaml;
  const fs::path out = dir_ / "spare.html";
  const auto r = run(fmt::format("{} {} --geosim '{}' --scenario {} --out {} --runs 200 --quiet", kPython,
                                 q(source("tools/report.py")), GEOSIM_BINARY, q(spare), q(out)));
  ASSERT_EQ(r.status, 0) << r.output;
  const std::string warning = "warning: parameters.spare_belief: declared but no field uses it";
  const auto first = r.output.find(warning);
  ASSERT_NE(first, std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(warning, first + 1), std::string::npos) << "said twice:\n" << r.output;
  EXPECT_TRUE(fs::exists(out));
}

// A scenario whose indicator overflows a double (+inf from week ~20; docs/model.md, section 14):
// the report is still written, passes run's warning on, says so on the page, and draws the
// indicator's panel as a note instead of failing in matplotlib.
TEST_F(Report, AnIndicatorThatOverflowsIsReportedNotFatal) {
  const fs::path yaml = dir_ / "overflow.yaml";
  std::ofstream(yaml) << "geosim: 1\nname: overflow\ntime: {horizon: 52}\n"
                         "parameters:\n  big: {value: 1e307}\n"
                         "state:\n  pressure: {initial: 1}\n"
                         "ladder:\n  rungs: [{name: low}, {name: high, danger: 1}]\n"
                         "end_states:\n  top: {rung: high}\n"
                         "actors:\n  a:\n    rationality: 1\n    actions:\n"
                         "      wait: {class: status_quo}\n      push: {class: posturing, step: 1, cost: 5}\n"
                         "events:\n  surge: {kind: bernoulli, probability: 0.5, "
                         "effects: [{var: pressure, add: big}]}\n";
  const fs::path out = dir_ / "overflow.html";
  const auto r = run(fmt::format("{} {} --geosim '{}' --scenario {} --out {} --runs 200 --quiet", kPython,
                                 q(source("tools/report.py")), GEOSIM_BINARY, q(yaml), q(out)));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("warning: indicator 'pressure' was not a finite number"), std::string::npos)
      << r.output;
  ASSERT_TRUE(fs::exists(out));
  EXPECT_NE(read_file(out).find("<b>Warning:</b>"), std::string::npos);
}

TEST_F(Report, RendersInHeadlessChromium) {
  if (run("command -v chromium").status != 0)
    GTEST_SKIP() << "chromium is not on PATH; install it with tools/setup.sh --browser";
  const fs::path html = report();
  const fs::path blank_html = dir_ / "blank.html";
  std::ofstream(blank_html) << "<!DOCTYPE html><html><body></body></html>\n";

  auto shoot = [&](const fs::path& page, const fs::path& png) {
    const fs::path profile = dir_ / ("chromium-profile-" + png.stem().string());
    const auto r = run(fmt::format(
        "chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
        "--disable-background-networking --disable-component-update --disable-sync "
        "--user-data-dir={} --screenshot={} --window-size=1280,4000 'file://{}'",
        q(profile), q(png), fs::absolute(page).string()));
    EXPECT_EQ(r.status, 0) << r.output;
    return read_file(png);
  };
  const std::string shot = shoot(html, dir_ / "report.png");
  const std::string blank = shoot(blank_html, dir_ / "blank.png");
  ASSERT_TRUE(is_png(shot)) << "no screenshot";
  ASSERT_TRUE(is_png(blank));
  EXPECT_EQ(be32(shot, 16), 1280u);
  EXPECT_EQ(be32(shot, 20), 4000u);
  // A blank 1280x4000 page compresses to a few KB; text, tables and figures cannot.
  EXPECT_GT(shot.size(), 100'000u);
  EXPECT_GT(shot.size(), 10 * blank.size()) << "report " << shot.size() << " bytes, blank page "
                                            << blank.size() << " bytes";
}

}  // namespace
