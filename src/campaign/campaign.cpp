#include "campaign/campaign.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include <algorithm>

#include "generate/random.hpp"

namespace emkhana::campaign {

namespace json = boost::json;
using domain::Application;
using domain::Basis;
using domain::Channel;
using domain::Date;
using domain::Document;
using generate::Rng;

namespace {

// Shares of what goes wrong in real applications (each one a refusal ground).
constexpr double kBadIin = 0.003, kUnknownPerson = 0.003, kFalseData = 0.004, kNoConsent = 0.004,
                 kOtherRegion = 0.01, kWrongDistrict = 0.006, kNoProof = 0.15;

Channel DrawChannel(Rng& rng) {
  const double x = rng.Real();
  if (x < 0.70) return Channel::kEgov;
  if (x < 0.85) return Channel::kMobile;
  if (x < 0.96) return Channel::kServiceCentre;
  return Channel::kClinicPaper;
}

Basis DrawBasis(Rng& rng) {
  const double x = rng.Real();
  // In the campaign almost everyone uses the free choice; the other bases are for moves
  // outside it and are often unconfirmed here (refused `invalid_basis`).
  if (x < 0.95) return Basis::kFreeChoice;
  if (x < 0.97) return Basis::kResidenceChange;
  if (x < 0.98) return Basis::kWorkOrStudyChange;
  if (x < 0.99) return Basis::kTemporaryResidence;
  return Basis::kFirstAttachment;
}

}  // namespace

std::vector<Application> MakeApplications(const registry::Registry& reg, const CampaignOptions& o) {
  std::vector<Application> apps;
  if (reg.person_count() == 0 || o.applications <= 0) return apps;
  const auto window = reg.policy().CampaignOf(o.year);
  const Date start = window ? window->start : Date::Ymd(o.year, 9, 1);
  const Date end = window ? window->end : Date::Ymd(o.year, 11, 1);
  const auto days = static_cast<std::uint64_t>(std::max(1, end.days() - start.days() + 1));
  apps.reserve(static_cast<std::size_t>(o.applications));

  for (std::int64_t i = 0; i < o.applications; ++i) {
    Rng rng(o.seed, static_cast<std::uint64_t>(i) + 1);
    const auto person = reg.PersonAt(rng.Below(reg.person_count()));
    Application a;
    a.date = Date::FromDays(start.days() + static_cast<std::int32_t>(rng.Below(days)));
    a.iin = person.iin.ToString();
    a.channel = DrawChannel(rng);
    a.basis = DrawBasis(rng);
    const auto& home = person.Ate(domain::AteRole::kResidence);
    const auto current = reg.WhereOn(person.iin, a.date);
    if (current.org.empty() && rng.Chance(0.5)) a.basis = Basis::kFirstAttachment;

    // The clinic: another one of the person's unit, if there is one.
    auto orgs = reg.OrgsInAte(home);
    std::erase_if(orgs, [&](const domain::Organisation* org) { return org->id == current.org; });
    if (orgs.empty()) orgs = reg.OrgsInAte(home);
    a.org = orgs.empty() ? current.org : orgs[rng.Below(orgs.size())]->id;

    // Who applies: a child through a registered representative, an adult themself.
    if (person.AgeOn(a.date) < 18) {
      if (!person.representatives.empty()) {
        a.applicant = person.representatives[rng.Below(person.representatives.size())].ToString();
      }
    }
    // Documents the basis or the channel asks for; some people forget them.
    if (a.basis == Basis::kResidenceChange && !rng.Chance(kNoProof)) {
      a.documents.Add(Document::kResidenceProof);
    }
    if (a.basis == Basis::kWorkOrStudyChange && !rng.Chance(kNoProof)) {
      a.documents.Add(Document::kRectorLetter);
    }
    if (a.basis == Basis::kTemporaryResidence && !rng.Chance(kNoProof)) {
      a.documents.Add(Document::kResidenceProof);
    }
    if (person.categories.Has(domain::Category::kConvict)) {
      a.documents.Add(Document::kCommissionProtocol);
    }

    // Mistakes.
    const double m = rng.Real();
    double edge = kBadIin;
    if (m < edge) {
      a.iin.back() = a.iin.back() == '9' ? '0' : static_cast<char>(a.iin.back() + 1);
      if (domain::Iin::Parse(a.iin)) a.iin = "12345678901X";
    } else if (m < (edge += kUnknownPerson)) {
      a.iin =
          "000101"
          "5"
          "9999"
          "0";  // a shape that no generated person has
      a.iin.back() =
          static_cast<char>('0' + domain::Iin::CheckDigit(a.iin.substr(0, 11)).value_or(0));
    } else if (m < (edge += kFalseData)) {
      a.declared_birth = Date::FromDays(person.birth.days() + 1);
    } else if (m < (edge += kNoConsent)) {
      a.consent = false;
    } else if (m < (edge += kOtherRegion)) {
      // A clinic of another person's unit: usually another region.
      const auto other = reg.PersonAt(rng.Below(reg.person_count()));
      auto there = reg.OrgsInAte(other.Ate(domain::AteRole::kResidence));
      if (!there.empty()) a.org = there[rng.Below(there.size())]->id;
    } else if (m < (edge += kWrongDistrict)) {
      const auto other = reg.PersonAt(rng.Below(reg.person_count()));
      auto there = reg.OrgsInAte(other.Ate(domain::AteRole::kResidence));
      if (!there.empty()) {
        auto districts = reg.DistrictsOf(there[0]->id);
        if (!districts.empty()) a.district = districts[0]->id;
      }
    }
    apps.push_back(std::move(a));
  }
  std::stable_sort(apps.begin(), apps.end(),
                   [](const Application& x, const Application& y) { return x.date < y.date; });
  for (std::size_t i = 0; i < apps.size(); ++i)
    apps[i].id = fmt::format("C{}-{:08}", o.year, i + 1);
  return apps;
}

void WriteScenario(const std::vector<Application>& apps, std::ostream& out) {
  for (const auto& a : apps) {
    json::object step{{"op", "apply"},
                      {"id", a.id},
                      {"date", a.date.ToString()},
                      {"iin", a.iin},
                      {"org", a.org},
                      {"channel", domain::NameOf(a.channel)},
                      {"basis", domain::NameOf(a.basis)}};
    if (a.district) step["district"] = *a.district;
    if (!a.applicant.empty()) step["applicant"] = a.applicant;
    if (!a.consent) step["consent"] = false;
    json::array documents;
    for (const auto& [d, name] : domain::EnumNames<Document>::kAll) {
      if (a.documents.Has(d)) documents.emplace_back(name);
    }
    if (!documents.empty()) step["documents"] = std::move(documents);
    if (a.declared_birth) step["birth"] = a.declared_birth->ToString();
    if (a.declared_sex) step["sex"] = domain::NameOf(*a.declared_sex);
    out << json::serialize(step) << '\n';
  }
}

}  // namespace emkhana::campaign
