// The built-in dictionaries against zxcvbn 4.4.2's own lists: the test reads
// node_modules/zxcvbn/lib/frequency_lists.js itself (not the generator's output), ranks every word
// as zxcvbn's build_ranked_dict does, and checks every entry, and the absence of everything else.

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "../../core/src/strength/dictionary.h"
#include "portcullis/strength.h"

namespace portcullis::strength::generated {
// The embedded blob (the build's dictionary_data.cc).
extern const std::uint8_t kDictionaryData[];
extern const std::size_t kDictionaryDataSize;
}  // namespace portcullis::strength::generated

using namespace portcullis::strength;

namespace {

// dictionary.cc's precision: ranks up to kExactRanks are exact, the others within this in log10.
constexpr std::uint32_t kExactRanks = 255;
constexpr double kMaxLog10Error = 0.031;

constexpr std::array<const char*, kListCount> kListNames = {
    "passwords", "english_wikipedia", "female_names", "surnames", "us_tv_and_film", "male_names"};

// word -> (list, rank) for each list that has it.
using Lexicon = std::unordered_map<std::u16string, std::map<int, std::uint32_t>>;

struct ZxcvbnLists {
  Lexicon lexicon;
  std::size_t entries = 0;
  std::size_t max_length = 0;
};

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The body of a JavaScript string literal (the lists use \' only) as UTF-16.
std::u16string unescape(std::string_view body) {
  std::u16string out;
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '\\') {
      REQUIRE(i + 1 < body.size());
      c = body[++i];
      if (c == 'u') {
        REQUIRE(i + 4 < body.size());
        out += static_cast<char16_t>(std::stoul(std::string(body.substr(i + 1, 4)), nullptr, 16));
        i += 4;
        continue;
      }
      REQUIRE(std::string_view("'\"\\").find(c) != std::string_view::npos);
    }
    REQUIRE(static_cast<unsigned char>(c) < 0x80);  // the lists are ASCII
    out += static_cast<char16_t>(c);
  }
  return out;
}

const ZxcvbnLists& zxcvbn_lists() {
  static const ZxcvbnLists parsed = [] {
    const auto path = std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "node_modules" / "zxcvbn" /
                      "lib" / "frequency_lists.js";
    const std::string text = read_file(path);
    INFO("reading " << path.string());
    REQUIRE(!text.empty());
    ZxcvbnLists out;
    std::size_t from = 0;
    for (int list = 0; list < kListCount; ++list) {
      const std::string key = std::string(kListNames[list]) + ": \"";
      const std::size_t start = text.find(key, from);
      REQUIRE(start != std::string::npos);
      std::size_t end = start + key.size();
      while (end < text.size() && text[end] != '"') end += text[end] == '\\' ? 2 : 1;
      REQUIRE(text.compare(end, 12, "\".split(\",\")") == 0);
      const std::u16string body = unescape(std::string_view(text).substr(start + key.size(), end - start - key.size()));
      // build_ranked_dict: rank = 1-based position; a repeated word keeps its last.
      std::uint32_t rank = 0;
      std::size_t word_start = 0;
      while (word_start <= body.size()) {
        std::size_t comma = body.find(u',', word_start);
        if (comma == std::u16string::npos) comma = body.size();
        const std::u16string word = body.substr(word_start, comma - word_start);
        out.lexicon[word][list] = ++rank;
        out.max_length = std::max(out.max_length, word.size());
        word_start = comma + 1;
      }
      from = end;
    }
    for (const auto& [word, lists] : out.lexicon) out.entries += lists.size();
    return out;
  }();
  return parsed;
}

std::string utf8(std::u16string_view s) {
  std::string out;
  for (char16_t c : s) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += "\\u" + std::to_string(static_cast<unsigned>(c));
    }
  }
  return out;
}

std::vector<PrefixHit> prefixes(std::u16string_view text) {
  std::vector<PrefixHit> hits;
  Dictionaries::builtin().prefixes(text, hits);
  return hits;
}

bool rank_matches(std::uint32_t reported, std::uint32_t truth) {
  if (truth <= kExactRanks) return reported == truth;
  return std::fabs(std::log10(static_cast<double>(reported)) - std::log10(static_cast<double>(truth))) <=
         kMaxLog10Error;
}

// The hits for `text` must be exactly its prefixes that are words, one per list, ordered by
// length then list, with their ranks.
void check_text(const Lexicon& lexicon, std::u16string_view text) {
  const std::vector<PrefixHit> hits = prefixes(text);
  std::size_t next = 0;
  for (std::size_t length = 1; length <= text.size(); ++length) {
    const auto found = lexicon.find(std::u16string(text.substr(0, length)));
    if (found == lexicon.end()) continue;
    for (const auto& [list, rank] : found->second) {
      INFO(utf8(text) << ": expected " << kListNames[list] << " " << utf8(text.substr(0, length)) << " rank "
                      << rank);
      REQUIRE(next < hits.size());
      CHECK(hits[next].length == length);
      CHECK(static_cast<int>(hits[next].list) == list);
      CHECK(rank_matches(hits[next].rank, rank));
      ++next;
    }
  }
  INFO(utf8(text) << ": " << hits.size() - next << " hit(s) too many");
  CHECK(next == hits.size());
}

}  // namespace

// First in this file, so that "[dictionary]" alone runs it on a dictionary nobody has used yet
// (builtin() decodes at first use, and its blocks at the first lookup in each).
TEST_CASE("builtin() is safe to first use from several threads", "[dictionary]") {
  const Lexicon& lexicon = zxcvbn_lists().lexicon;
  std::vector<std::u16string> words;
  for (const auto& [word, lists] : lexicon) words.push_back(word);
  std::sort(words.begin(), words.end());
  constexpr int kThreads = 8;
  std::array<std::vector<std::size_t>, kThreads> counts;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Each thread walks the words from a different place, so that blocks get decoded by
      // whichever thread comes first.
      std::vector<PrefixHit> hits;
      for (std::size_t i = 0; i < words.size(); i += 7) {
        const std::u16string& word = words[(i + words.size() / kThreads * t) % words.size()];
        hits.clear();
        Dictionaries::builtin().prefixes(word, hits);
        counts[t].push_back(hits.size());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    for (std::size_t k = 0; k < counts[t].size(); ++k) {
      const std::size_t i = k * 7;
      const std::u16string& word = words[(i + words.size() / kThreads * t) % words.size()];
      INFO(utf8(word));
      REQUIRE(counts[t][k] == prefixes(word).size());
    }
  }
  CHECK(&Dictionaries::builtin() == &Dictionaries::builtin());
}

TEST_CASE("every entry of zxcvbn's lists is found, with its rank", "[dictionary]") {
  const ZxcvbnLists& lists = zxcvbn_lists();
  REQUIRE(lists.entries == 93855);
  std::size_t checked = 0;
  std::size_t exact = 0;
  double max_error = 0;
  for (const auto& [word, word_lists] : lists.lexicon) {
    const std::vector<PrefixHit> hits = prefixes(word);
    for (const auto& [list, rank] : word_lists) {
      const auto hit = std::find_if(hits.begin(), hits.end(), [list = list, size = word.size()](const PrefixHit& h) {
        return h.length == size && static_cast<int>(h.list) == list;
      });
      INFO(kListNames[list] << " " << utf8(word) << " rank " << rank);
      REQUIRE(hit != hits.end());
      CHECK(rank_matches(hit->rank, rank));
      max_error = std::max(max_error, std::fabs(std::log10(static_cast<double>(hit->rank)) -
                                                 std::log10(static_cast<double>(rank))));
      exact += hit->rank == rank;
      ++checked;
    }
  }
  CHECK(checked == lists.entries);
  CHECK(max_error <= kMaxLog10Error);
  CHECK(exact >= kExactRanks * kListCount);
}

TEST_CASE("nothing but the lists' words is found", "[dictionary]") {
  const Lexicon& lexicon = zxcvbn_lists().lexicon;
  SECTION("every word, extended") {
    for (const auto& [word, lists] : lexicon) {
      check_text(lexicon, word + u"zz");
      check_text(lexicon, word + u"1!");
    }
  }
  SECTION("random strings") {
    const std::u16string alphabet = u"abcdefghijklmnopqrstuvwxyzaeiounrst0123456789!$%'(*+-./;=?@[]_`|~ ";
    std::mt19937 random(20251125);
    std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
    std::uniform_int_distribution<std::size_t> length(0, 30);
    for (int i = 0; i < 5000; ++i) {
      std::u16string text;
      for (std::size_t n = length(random); n > 0; --n) text += alphabet[pick(random)];
      check_text(lexicon, text);
    }
  }
  SECTION("a code unit outside the alphabet ends the walk") {
    const auto hits = prefixes(u"pass\u00e9word");
    REQUIRE(!hits.empty());
    CHECK(hits.back().length == 4);
    CHECK(prefixes(u"\u00e9").empty());
    CHECK(prefixes(u"\U0001F600password").empty());
    CHECK(prefixes(u"PASSWORD").empty());  // upper case: the caller lower-cases
    CHECK(prefixes(u"").empty());
  }
}

TEST_CASE("a few known entries", "[dictionary]") {
  // zxcvbn: matching.dictionary_match("password1"), the matches at i = 0.
  const auto hits = prefixes(u"password1");
  REQUIRE(hits.size() == 6);
  const std::uint32_t ranks[] = {61, 24105, 19202, 1005, 2, 189};  // pass ... password1
  for (std::size_t k = 0; k < hits.size(); ++k) {
    CHECK(hits[k].length == k + 4);
    CHECK(hits[k].list == List::kPasswords);
    CHECK(rank_matches(hits[k].rank, ranks[k]));
  }
  const auto pic = prefixes(u"pic's");
  REQUIRE(!pic.empty());
  CHECK((pic.back().length == 5 && pic.back().list == List::kPasswords));
  const auto the = prefixes(u"the");
  REQUIRE(the.size() == 1);
  CHECK((the[0].list == List::kEnglishWikipedia && the[0].rank == 1));
}

TEST_CASE("max_word_length and list_name", "[dictionary]") {
  CHECK(Dictionaries::builtin().max_word_length() == zxcvbn_lists().max_length);
  CHECK(Dictionaries::builtin().max_word_length() == 23);
  for (int list = 0; list < kListCount; ++list) CHECK(list_name(static_cast<List>(list)) == kListNames[list]);
}

// What the wasm build does with the blob its host hands over (StrengthDictionaries::from_blob).
TEST_CASE("from_blob accepts the blob the library was built with, and nothing else", "[dictionary]") {
  const std::size_t n = portcullis::StrengthDictionaries::blob_size();
  REQUIRE(n == generated::kDictionaryDataSize);
  const auto copy = [n] {
    auto blob = std::make_unique<std::uint8_t[]>(n);
    std::memcpy(blob.get(), generated::kDictionaryData, n);
    return blob;
  };
  const auto loaded = portcullis::StrengthDictionaries::from_blob(copy(), n);
  REQUIRE(loaded != nullptr);
  for (const char* password : {"correcthorsebatterystaple", "Tr0ub4dour&3", "drowssap", "jennifer1990", "zxcvbn"}) {
    INFO(password);
    const portcullis::Strength a = portcullis::estimate_strength(password, *loaded, {"jen"}, {2026});
    const portcullis::Strength b = portcullis::estimate_strength(password, {"jen"}, {2026});
    CHECK(a.guesses == b.guesses);
    CHECK(a.score == b.score);
    CHECK(a.sequence.size() == b.sequence.size());
  }
  CHECK(portcullis::StrengthDictionaries::from_blob(nullptr, n) == nullptr);
  CHECK(portcullis::StrengthDictionaries::from_blob(copy(), n - 1) == nullptr);
  for (const std::size_t at : {std::size_t{0}, n / 2, n - 1}) {
    auto tampered = copy();
    tampered[at] ^= 0x10;
    CHECK(portcullis::StrengthDictionaries::from_blob(std::move(tampered), n) == nullptr);
  }
}
