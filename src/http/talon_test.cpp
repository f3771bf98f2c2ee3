#include "http/talon.hpp"

#include <gtest/gtest.h>

namespace emkhana::http {
namespace {

TalonFacts Facts() {
  TalonFacts f;
  f.number = "A-<1>";
  f.iin = "900101300007";
  f.name = "Ахметова Әйгерім";
  f.org = "ALA-01-P01";
  f.org_name = "Емхана №1 & Ко";
  f.district = "ALA-01-P01-G01";
  f.district_kind = "gp";
  f.effective = "2027-01-01";
  f.channel = "egov";
  return f;
}

TEST(Talon, HtmlIsEscapedInTheLanguageAsked) {
  const auto kk = TalonHtml(Facts(), Lang::kKk);
  EXPECT_NE(kk.find("lang=\"kk\""), std::string::npos);
  EXPECT_NE(kk.find("МСАК ұйымына бекіту"), std::string::npos);
  EXPECT_NE(kk.find("A-&lt;1&gt;"), std::string::npos);
  EXPECT_EQ(kk.find("A-<1>"), std::string::npos);
  EXPECT_NE(kk.find("Емхана №1 &amp; Ко"), std::string::npos);
  EXPECT_NE(kk.find("<svg"), std::string::npos);
  EXPECT_NE(TalonHtml(Facts(), Lang::kEn).find("general practitioner"), std::string::npos);
}

TEST(Talon, PdfIsOnePage) {
  auto pdf = TalonPdf(Facts(), Lang::kRu);
  ASSERT_TRUE(pdf) << pdf.error().message;
  EXPECT_EQ(pdf->substr(0, 5), "%PDF-");
  EXPECT_NE(pdf->find("/Count 1"), std::string::npos);
}

}  // namespace
}  // namespace emkhana::http
