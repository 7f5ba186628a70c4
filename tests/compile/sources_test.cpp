// check_sources (include/geosim/sources.h): a quote is found in its article whatever the runs of
// white space; an article is a plain file name in the seeds folder (a folder part is not looked
// through); and an endless file under an article's name (/dev/zero) is refused, not read forever.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "geosim/scenario.h"
#include "geosim/sources.h"

namespace {

namespace fs = std::filesystem;

geosim::Parameter cited(const std::string& name, const std::string& file, const std::string& quote) {
  geosim::Parameter p;
  p.name = name;
  p.declared = true;
  p.source = geosim::Source{file, quote, {}};
  return p;
}

TEST(Sources, QuotesAreFoundInPlainFilesOfTheSeedsFolderOnly) {
  const fs::path dir = fs::temp_directory_path() / fmt::format("geosim_sources_{}", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir / "seeds");
  std::ofstream(dir / "seeds" / "article.txt") << "Some 10,000   soldiers\nwere deployed.";
  std::ofstream(dir / "outside.txt") << "Some 10,000 soldiers were deployed.";
  fs::create_symlink("/dev/zero", dir / "seeds" / "endless.txt");

  geosim::Scenario s;
  s.parameters = {cited("found", "article.txt", "10,000 soldiers were deployed"),
                  cited("not_in_it", "article.txt", "20,000 soldiers"),
                  cited("no_such_file", "missing.txt", "soldiers"),
                  cited("folder_part", "../outside.txt", "10,000 soldiers"),
                  cited("endless", "endless.txt", "soldiers")};
  const geosim::SourceReport r = geosim::check_sources(s, dir / "seeds");
  ASSERT_EQ(r.quotes.size(), 5u);
  EXPECT_TRUE(r.quotes[0].file_found && r.quotes[0].quote_found);  // white space runs compare equal
  EXPECT_TRUE(r.quotes[1].file_found);
  EXPECT_FALSE(r.quotes[1].quote_found);
  EXPECT_FALSE(r.quotes[2].file_found);
  EXPECT_FALSE(r.quotes[3].file_found);  // the file exists, but outside the seeds folder
  EXPECT_FALSE(r.quotes[4].file_found);  // read no further than 64 MiB, then refused
  EXPECT_EQ(r.missing_quotes(), 4u);
  fs::remove_all(dir);
}

// Sellers' approximate match, against distances worked by hand: the passage of the text closest to
// the pattern, wherever it starts and ends.
TEST(Sources, ClosestPassageFindsTheNearestSubstring) {
  const auto at = [](std::string_view text, std::string_view pattern) {
    const geosim::Passage p = geosim::closest_passage(text, pattern);
    return std::pair{std::string(text.substr(p.begin, p.end - p.begin)), p.distance};
  };
  EXPECT_EQ(at("Russia is averaging 1,500 casualties per day", "averaging 1500 casualties"),
            (std::pair{std::string("averaging 1,500 casualties"), std::size_t{1}}));  // one insertion
  EXPECT_EQ(at("the quick brown fox", "quick"), (std::pair{std::string("quick"), std::size_t{0}}));
  EXPECT_EQ(at("the quick brown fox", "quack"), (std::pair{std::string("quick"), std::size_t{1}}));
  EXPECT_EQ(at("kitten sitting", "sittin"), (std::pair{std::string("sittin"), std::size_t{0}}));
  EXPECT_EQ(at("abc", "xyz").second, 3u);  // nothing in common: every character substituted
  EXPECT_EQ(at("", "abc").second, 3u);
}

// A quote one slip away from the article gets the article's words as a hint; a quote the article
// has nothing like gets none.
TEST(Sources, ANearMissQuoteIsShownTheClosestPassage) {
  const fs::path dir = fs::temp_directory_path() / fmt::format("geosim_sources_near_{}", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "a.txt") << "Russia is averaging 1,500\ncasualties per day, officials said.";
  geosim::Scenario s;
  s.parameters = {cited("slip", "a.txt", "averaging 1500 casualties per day"),
                  cited("unrelated", "a.txt", "the moon is made of green cheese")};
  const geosim::SourceReport r = geosim::check_sources(s, dir);
  ASSERT_EQ(r.quotes.size(), 2u);
  EXPECT_FALSE(r.quotes[0].quote_found);
  EXPECT_EQ(r.quotes[0].nearest, "averaging 1,500 casualties per day");  // white space squeezed
  EXPECT_EQ(r.quotes[0].nearest_distance, 1u);
  EXPECT_TRUE(r.quotes[1].nearest.empty());
  const std::string text = geosim::source_report_to_text(s, r);
  EXPECT_NE(text.find("(closest passage, 1 character different: \"averaging 1,500 casualties per day\")"),
            std::string::npos)
      << text;
  fs::remove_all(dir);
}

}  // namespace
