#include "domain/iin.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <unordered_set>

namespace emkhana::domain {
namespace {

TEST(IinTest, ParsesTheDocumentedValidExamples) {
  for (const char* text : {"850305301578", "950612310202", "900115301001"}) {
    auto iin = Iin::Parse(text);
    ASSERT_TRUE(iin.has_value()) << text;
    EXPECT_EQ(iin->ToString(), text);
  }
}

TEST(IinTest, CheckDigitOfTheFirstPass) {
  EXPECT_EQ(Iin::CheckDigit("85030530157"), std::optional<int>(8));
  EXPECT_EQ(Iin::CheckDigit("90011530100"), std::optional<int>(1));
}

TEST(IinTest, CheckDigitUsesTheSecondWeightsWhenTheFirstPassGivesTen) {
  // First pass: sum of d[i] * i = 186, 186 mod 11 = 10; second pass gives 2.
  const std::string prefix = "95061231020";
  int first = 0;
  for (int i = 0; i < 11; ++i) first += (prefix[i] - '0') * (i + 1);
  ASSERT_EQ(first % 11, 10) << "the example must exercise the second pass";
  EXPECT_EQ(Iin::CheckDigit(prefix), std::optional<int>(2));
  EXPECT_TRUE(Iin::Parse("950612310202").has_value());
  // Every other last digit is wrong.
  for (char c = '0'; c <= '9'; ++c) {
    if (c == '2') continue;
    EXPECT_FALSE(Iin::Parse(prefix + c).has_value()) << prefix + c;
  }
}

TEST(IinTest, RejectsAWrongCheckDigit) {
  EXPECT_FALSE(Iin::Parse("850305301579").has_value());
  EXPECT_FALSE(Iin::Parse("850305301570").has_value());
  EXPECT_FALSE(Iin::Parse("950612310201").has_value());
  EXPECT_FALSE(Iin::Parse("900115301002").has_value());
}

TEST(IinTest, RejectsWrongLengths) {
  EXPECT_FALSE(Iin::Parse("85030530157").has_value());    // 11 digits
  EXPECT_FALSE(Iin::Parse("8503053015780").has_value());  // 13 digits
  EXPECT_FALSE(Iin::Parse("0850305301578").has_value());  // 13 digits, leading zero
  EXPECT_FALSE(Iin::Parse("").has_value());
}

TEST(IinTest, RejectsLettersAndSpaces) {
  EXPECT_FALSE(Iin::Parse("85030530157a").has_value());
  EXPECT_FALSE(Iin::Parse("A50305301578").has_value());
  EXPECT_FALSE(Iin::Parse("8503O5301578").has_value());  // letter O for zero
  EXPECT_FALSE(Iin::Parse(" 850305301578").has_value());
  EXPECT_FALSE(Iin::Parse("850305301578 ").has_value());
  EXPECT_FALSE(Iin::Parse("850305 301578").has_value());
  EXPECT_FALSE(Iin::Parse("85030530157 ").has_value());  // 12 chars, the last a space
  EXPECT_FALSE(Iin::Parse("            ").has_value());
  EXPECT_FALSE(Iin::Parse("-85030530157").has_value());
  EXPECT_FALSE(Iin::Parse("+85030530157").has_value());
}

TEST(IinTest, CheckDigitRejectsMalformedPrefixes) {
  EXPECT_FALSE(Iin::CheckDigit("").has_value());
  EXPECT_FALSE(Iin::CheckDigit("8503053015").has_value());    // 10
  EXPECT_FALSE(Iin::CheckDigit("850305301578").has_value());  // 12
  EXPECT_FALSE(Iin::CheckDigit("8503053015x").has_value());
}

TEST(IinTest, APrefixWhoseSecondPassAlsoGivesTenHasNoValidIin) {
  std::optional<std::string> dead;
  for (int serial = 0; serial < 100000 && !dead; ++serial) {
    std::string prefix = "850305" + std::string("3") + std::to_string(100000 + serial).substr(2);
    ASSERT_EQ(prefix.size(), 11u);
    if (!Iin::CheckDigit(prefix).has_value()) dead = prefix;
  }
  ASSERT_TRUE(dead.has_value()) << "no prefix without a check digit found";
  // Independently: both weighted sums are 10 mod 11.
  static constexpr int kSecond[11] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2};
  int first = 0, second = 0;
  for (int i = 0; i < 11; ++i) {
    first += ((*dead)[i] - '0') * (i + 1);
    second += ((*dead)[i] - '0') * kSecond[i];
  }
  EXPECT_EQ(first % 11, 10);
  EXPECT_EQ(second % 11, 10);
  for (char c = '0'; c <= '9'; ++c) {
    EXPECT_FALSE(Iin::Parse(*dead + c).has_value()) << *dead + c;
  }
}

TEST(IinTest, EveryPrefixWithACheckDigitHasExactlyOneValidIin) {
  int checked = 0;
  for (int serial = 0; serial < 2000; ++serial) {
    std::string prefix = "0103156" + std::to_string(10000 + serial).substr(1);
    ASSERT_EQ(prefix.size(), 11u);
    auto check = Iin::CheckDigit(prefix);
    int valid = 0;
    for (char c = '0'; c <= '9'; ++c) valid += Iin::Parse(prefix + c).has_value() ? 1 : 0;
    EXPECT_EQ(valid, check ? 1 : 0) << prefix;
    if (check) {
      EXPECT_TRUE(Iin::Parse(prefix + char('0' + *check)).has_value());
      ++checked;
    }
  }
  EXPECT_GT(checked, 1500);
}

TEST(IinTest, LeadingZerosRoundTripThroughToString) {
  // A person born in 2000 has an IIN starting with "00".
  std::optional<std::string> text;
  for (int serial = 1; serial < 10000 && !text; ++serial) {
    std::string prefix = "0001015" + std::to_string(10000 + serial).substr(1);
    if (auto check = Iin::CheckDigit(prefix)) text = prefix + char('0' + *check);
  }
  ASSERT_TRUE(text.has_value());
  ASSERT_EQ(text->substr(0, 2), "00");
  auto iin = Iin::Parse(*text);
  ASSERT_TRUE(iin.has_value()) << *text;
  EXPECT_EQ(iin->ToString(), *text);
  EXPECT_EQ(iin->ToString().size(), 12u);
  EXPECT_LT(iin->number(), 10'000'000'000ull);  // the number itself lost the zeros
  EXPECT_EQ(Iin::FromNumberUnchecked(iin->number()), *iin);
  EXPECT_EQ(Iin::FromNumberUnchecked(iin->number()).ToString(), *text);
  EXPECT_EQ(iin->Masked(), text->substr(0, 5) + "*****" + text->substr(10, 2));
}

TEST(IinTest, NumberAndFromNumberUncheckedAgree) {
  auto iin = Iin::Parse("850305301578");
  ASSERT_TRUE(iin.has_value());
  EXPECT_EQ(iin->number(), 850305301578ull);
  EXPECT_EQ(Iin::FromNumberUnchecked(850305301578ull), *iin);
}

TEST(IinTest, OrderingAndHashFollowTheNumber) {
  auto a = Iin::Parse("850305301578");
  auto b = Iin::Parse("900115301001");
  auto c = Iin::Parse("950612310202");
  ASSERT_TRUE(a && b && c);
  EXPECT_LT(*a, *b);
  EXPECT_LT(*b, *c);
  EXPECT_NE(*a, *c);
  std::unordered_set<Iin> set{*a, *b, *c, *a};
  EXPECT_EQ(set.size(), 3u);
  EXPECT_EQ(std::hash<Iin>{}(*a), std::hash<Iin>{}(Iin::FromNumberUnchecked(850305301578ull)));
}

TEST(IinTest, DefaultIinIsTheZeroValue) {
  Iin none;
  EXPECT_EQ(none.number(), 0u);
  EXPECT_EQ(none.ToString(), "000000000000");
}

// The header promises: "The zero value stands for 'no IIN' in default-constructed records; it is
// never valid." Parsing twelve zeros must therefore not produce a value equal to Iin{}.
// FORMAT.md: invalid_iin is "not 12 digits or bad check digit"; twelve zeros have a correct
// check digit, so they are well-formed (and, being no one, refused as unknown_person).
TEST(IinTest, AllZerosIsWellFormed) {
  auto zero = Iin::Parse("000000000000");
  ASSERT_TRUE(zero.has_value());
  EXPECT_EQ(zero->ToString(), "000000000000");
}

TEST(IinTest, MaskedShowsFirstFiveAndLastTwoDigits) {
  EXPECT_EQ(Iin::Parse("850305301578")->Masked(), "85030*****78");
  EXPECT_EQ(Iin::Parse("950612310202")->Masked(), "95061*****02");
  EXPECT_EQ(Iin::Parse("900115301001")->Masked(), "90011*****01");
  EXPECT_EQ(Iin::Parse("850305301578")->Masked().size(), 12u);
}

TEST(IinTest, MaskIinsInTextMasksEveryTwelveDigitRun) {
  EXPECT_EQ(MaskIinsInText("850305301578"), "85030*****78");
  EXPECT_EQ(MaskIinsInText("iin=850305301578, rep=950612310202."),
            "iin=85030*****78, rep=95061*****02.");
  // Any 12-digit run, valid check digit or not.
  EXPECT_EQ(MaskIinsInText("x 123456789012 y"), "x 12345*****12 y");
  // Adjacent to non-ASCII text (UTF-8 bytes are not digits).
  EXPECT_EQ(MaskIinsInText("ИИН850305301578ЖСН"), "ИИН85030*****78ЖСН");
  EXPECT_EQ(MaskIinsInText("850305301578\n900115301001"), "85030*****78\n90011*****01");
}

TEST(IinTest, MaskIinsInTextLeavesOtherRunsAlone) {
  EXPECT_EQ(MaskIinsInText(""), "");
  EXPECT_EQ(MaskIinsInText("no digits here"), "no digits here");
  EXPECT_EQ(MaskIinsInText("85030530157"), "85030530157");      // 11
  EXPECT_EQ(MaskIinsInText("8503053015780"), "8503053015780");  // 13
  EXPECT_EQ(MaskIinsInText("a 85030530157 b 8503053015780 c"), "a 85030530157 b 8503053015780 c");
  EXPECT_EQ(MaskIinsInText("phone +7 701 234 5678, date 2025-10-25"),
            "phone +7 701 234 5678, date 2025-10-25");
  // A 24-digit run is not two IINs.
  EXPECT_EQ(MaskIinsInText("850305301578900115301001"), "850305301578900115301001");
}

}  // namespace
}  // namespace emkhana::domain
