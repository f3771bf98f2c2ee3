// Value types of the attachment domain: who (Person), where (Organisation, District), the link
// between them over time (Attachment), and what is asked and answered (Application, Decision).
// Plain data with no behaviour beyond small queries; no I/O and no wire formats here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/date.hpp"
#include "domain/enum_names.hpp"
#include "domain/iin.hpp"

namespace emkhana::domain {

enum class Sex { kMale, kFemale };
enum class LegalStatus { kCitizen, kKandas, kRefugee, kResident, kTemporary, kEaeuMigrant };
enum class InsuranceKind { kDms, kVms };
enum class DistrictKind { kGp, kTherapist, kPediatrician };
enum class Channel { kEgov, kMobile, kServiceCentre, kClinicPaper };
enum class Basis {
  kFreeChoice,
  kFirstAttachment,
  kResidenceChange,
  kWorkOrStudyChange,
  kOrgClosed,
  kTemporaryResidence,
};
// The roles an administrative-territorial unit (ATE) plays for a person.
enum class AteRole { kRegistration, kResidence, kTemporary, kWork, kStudy, kDeployment, kCustody };
inline constexpr int kAteRoleCount = 7;

// Person categories (population register facts), a bit set.
enum class Category : std::uint32_t {
  kPensioner = 1u << 0,
  kDisabled = 1u << 1,
  kDisabledChildRepresentative = 1u << 2,
  kFosterCarer = 1u << 3,
  kPregnant = 1u << 4,
  kStudent = 1u << 5,
  kConscript = 1u << 6,
  kConvict = 1u << 7,
  kBornAbroad = 1u << 8,
  kInstitutionWard = 1u << 9,
};
// Documents attached to an application, a bit set.
enum class Document : std::uint32_t {
  kResidenceProof = 1u << 0,
  kRepresentationProof = 1u << 1,
  kConsentOfFamilyMember = 1u << 2,
  kCommissionProtocol = 1u << 3,
  kRectorLetter = 1u << 4,
  kInsuranceContract = 1u << 5,
};

template <class E>
struct Flags {
  std::uint32_t bits = 0;
  constexpr bool Has(E e) const { return (bits & static_cast<std::uint32_t>(e)) != 0; }
  constexpr void Add(E e) { bits |= static_cast<std::uint32_t>(e); }
  constexpr bool Any(Flags other) const { return (bits & other.bits) != 0; }
  constexpr bool operator==(const Flags&) const = default;
};
using Categories = Flags<Category>;
using Documents = Flags<Document>;

struct Insurance {
  InsuranceKind kind = InsuranceKind::kDms;
  Date from;
  Date until;  // inclusive
  bool ValidOn(Date d) const { return from <= d && d <= until; }
};

// A person's standing in compulsory social health insurance (OSMS): who they are for the Fund,
// who pays their contributions and whether they are insured now. It decides the package
// (GOBMP only, or GOBMP + OSMS), never the attachment.
enum class OsmsCategory {
  kNone,          // not a participant (no contributions paid)
  kEmployee,      // employer pays
  kEntrepreneur,  // individual entrepreneur
  kSelfEmployed,  // single aggregate payment
  kSelfPayer,     // voluntary self-payer
  // State-paid (preferential) categories (OSMS law, art. 28).
  kChild,
  kPensioner,
  kDisabled,
  kMotherOfMany,    // mothers of many children (Altyn/Kumis alka)
  kChildCareLeave,  // pregnant or on child-care leave
  kStudent,         // full-time students
  kUnemployed,      // registered unemployed
  kConscript,       // conscript service
  kConvict,         // serving a sentence
  kOtherPreferential,
};
enum class OsmsPayer { kNone, kState, kEmployer, kSelf };
struct OsmsStanding {
  OsmsCategory category = OsmsCategory::kNone;
  OsmsPayer payer = OsmsPayer::kNone;
  bool insured = false;
  bool operator==(const OsmsStanding&) const = default;
};

struct Person {
  Iin iin;
  Date birth;
  Sex sex = Sex::kMale;
  LegalStatus status = LegalStatus::kCitizen;
  std::string name;
  std::string ate[kAteRoleCount];  // ATE code per AteRole; empty = absent
  Categories categories;
  std::optional<Insurance> insurance;
  std::vector<Iin> representatives;
  std::optional<Date> deceased;
  OsmsStanding osms;

  const std::string& Ate(AteRole role) const { return ate[static_cast<int>(role)]; }
  int AgeOn(Date d) const { return domain::AgeOn(birth, d); }
  bool DeadOn(Date d) const { return deceased && *deceased <= d; }
};

// The region of an administrative-territorial unit: its code up to the first '-' (generated
// codes are "<REGION>-<NN>"; other codes are their own region).
inline std::string_view RegionOfAte(std::string_view ate) { return ate.substr(0, ate.find('-')); }

struct Organisation {
  std::string id;
  std::string ate;
  std::string name;
  bool license = true;
  bool contract = true;
  bool is_private = false;
  bool rural = false;
  std::optional<double> latitude, longitude;
  std::optional<Date> closed_on;  // liquidated or reorganised from this date
  std::string successor;          // set when reorganised

  bool ClosedOn(Date d) const { return closed_on && *closed_on <= d; }
};

struct District {
  std::string id;
  std::string org;
  DistrictKind kind = DistrictKind::kGp;
  int doctors = 1;
  std::optional<int> capacity;  // explicit capacity; otherwise norm(kind) x doctors

  // Pediatrician: under 18; therapist: 18 and over; GP: everyone.
  bool ServesAge(int age) const {
    switch (kind) {
      case DistrictKind::kPediatrician:
        return age < 18;
      case DistrictKind::kTherapist:
        return age >= 18;
      case DistrictKind::kGp:
        return true;
    }
    return false;
  }
};

// Why an attachment period ended (or `kOpen` while it has not).
enum class PeriodEnd {
  kOpen,
  kSuperseded,
  kCancelled,
  kDeath,
  kLiquidation,
  kReorganisation,
  kAgeOut
};

// One person in one district over [from, to). History is append-only: a period that is cut short
// or cancelled keeps its row; `end` says why it ended.
struct Attachment {
  std::int64_t id = 0;
  Iin iin;
  std::string org;
  std::string district;
  Date from;
  Date to = Date::Max();
  PeriodEnd end = PeriodEnd::kOpen;
  std::string application_id;    // empty for pre-existing attachments and lifecycle moves
  std::int64_t recorded_at = 0;  // microseconds since the epoch

  bool Covers(Date d) const { return from <= d && d < to; }
  bool Cancelled() const { return end == PeriodEnd::kCancelled; }
};

struct Application {
  std::string id;
  Date date;
  std::string iin;        // as submitted; may be malformed (refused `invalid_iin`)
  std::string applicant;  // as submitted; empty = the person themself
  std::string org;
  std::optional<std::string> district;
  Channel channel = Channel::kEgov;
  Basis basis = Basis::kFreeChoice;
  bool consent = true;
  Documents documents;
  std::optional<Date> declared_birth;
  std::optional<Sex> declared_sex;
};

enum class Reason {
  kInvalidIin,
  kUnknownPerson,
  kFalseData,
  kDeceased,
  kNoConsent,
  kNoRepresentation,
  kChannelNotAllowed,
  kMissingDocuments,
  kNotEligible,
  kOrgNotEligible,
  kTerritory,
  kAlreadyAttached,
  kWrongDistrict,
  kOutsideCampaign,
  kTooFrequent,
  kInvalidBasis,
  kCapacityExceeded,
};

enum class Outcome { kApproved, kRefused };

struct Decision {
  std::string application_id;
  Outcome outcome = Outcome::kRefused;
  std::vector<Reason> reasons;  // sorted by name; empty when approved
  std::string org;              // approved: where
  std::string district;
  std::optional<Date> effective;  // approved: the first day of the new attachment
  Date decide_by;
  std::vector<std::string> alternatives;  // capacity_exceeded: other organisations, by id
  std::string policy_version;
  // An approved free-choice change of organisation: counts against the yearly limit.
  bool free_choice_change = false;
};

// Wire names.
template <>
struct EnumNames<Sex> {
  static constexpr std::array<std::pair<Sex, std::string_view>, 2> kAll{
      {{Sex::kMale, "M"}, {Sex::kFemale, "F"}}};
};
template <>
struct EnumNames<LegalStatus> {
  static constexpr std::array<std::pair<LegalStatus, std::string_view>, 6> kAll{
      {{LegalStatus::kCitizen, "citizen"},
       {LegalStatus::kKandas, "kandas"},
       {LegalStatus::kRefugee, "refugee"},
       {LegalStatus::kResident, "resident"},
       {LegalStatus::kTemporary, "temporary"},
       {LegalStatus::kEaeuMigrant, "eaeu_migrant"}}};
};
template <>
struct EnumNames<InsuranceKind> {
  static constexpr std::array<std::pair<InsuranceKind, std::string_view>, 2> kAll{
      {{InsuranceKind::kDms, "dms"}, {InsuranceKind::kVms, "vms"}}};
};
template <>
struct EnumNames<DistrictKind> {
  static constexpr std::array<std::pair<DistrictKind, std::string_view>, 3> kAll{
      {{DistrictKind::kGp, "gp"},
       {DistrictKind::kTherapist, "therapist"},
       {DistrictKind::kPediatrician, "pediatrician"}}};
};
template <>
struct EnumNames<Channel> {
  static constexpr std::array<std::pair<Channel, std::string_view>, 4> kAll{
      {{Channel::kEgov, "egov"},
       {Channel::kMobile, "mobile"},
       {Channel::kServiceCentre, "service_centre"},
       {Channel::kClinicPaper, "clinic_paper"}}};
};
template <>
struct EnumNames<Basis> {
  static constexpr std::array<std::pair<Basis, std::string_view>, 6> kAll{
      {{Basis::kFreeChoice, "free_choice"},
       {Basis::kFirstAttachment, "first_attachment"},
       {Basis::kResidenceChange, "residence_change"},
       {Basis::kWorkOrStudyChange, "work_or_study_change"},
       {Basis::kOrgClosed, "org_closed"},
       {Basis::kTemporaryResidence, "temporary_residence"}}};
};
template <>
struct EnumNames<AteRole> {
  static constexpr std::array<std::pair<AteRole, std::string_view>, 7> kAll{
      {{AteRole::kRegistration, "registration"},
       {AteRole::kResidence, "residence"},
       {AteRole::kTemporary, "temporary"},
       {AteRole::kWork, "work"},
       {AteRole::kStudy, "study"},
       {AteRole::kDeployment, "deployment"},
       {AteRole::kCustody, "custody"}}};
};
template <>
struct EnumNames<Category> {
  static constexpr std::array<std::pair<Category, std::string_view>, 10> kAll{
      {{Category::kPensioner, "pensioner"},
       {Category::kDisabled, "disabled"},
       {Category::kDisabledChildRepresentative, "disabled_child_representative"},
       {Category::kFosterCarer, "foster_carer"},
       {Category::kPregnant, "pregnant"},
       {Category::kStudent, "student"},
       {Category::kConscript, "conscript"},
       {Category::kConvict, "convict"},
       {Category::kBornAbroad, "born_abroad"},
       {Category::kInstitutionWard, "institution_ward"}}};
};
template <>
struct EnumNames<Document> {
  static constexpr std::array<std::pair<Document, std::string_view>, 6> kAll{
      {{Document::kResidenceProof, "residence_proof"},
       {Document::kRepresentationProof, "representation_proof"},
       {Document::kConsentOfFamilyMember, "consent_of_family_member"},
       {Document::kCommissionProtocol, "commission_protocol"},
       {Document::kRectorLetter, "rector_letter"},
       {Document::kInsuranceContract, "insurance_contract"}}};
};
template <>
struct EnumNames<Reason> {
  static constexpr std::array<std::pair<Reason, std::string_view>, 17> kAll{
      {{Reason::kInvalidIin, "invalid_iin"},
       {Reason::kUnknownPerson, "unknown_person"},
       {Reason::kFalseData, "false_data"},
       {Reason::kDeceased, "deceased"},
       {Reason::kNoConsent, "no_consent"},
       {Reason::kNoRepresentation, "no_representation"},
       {Reason::kChannelNotAllowed, "channel_not_allowed"},
       {Reason::kMissingDocuments, "missing_documents"},
       {Reason::kNotEligible, "not_eligible"},
       {Reason::kOrgNotEligible, "org_not_eligible"},
       {Reason::kTerritory, "territory"},
       {Reason::kAlreadyAttached, "already_attached"},
       {Reason::kWrongDistrict, "wrong_district"},
       {Reason::kOutsideCampaign, "outside_campaign"},
       {Reason::kTooFrequent, "too_frequent"},
       {Reason::kInvalidBasis, "invalid_basis"},
       {Reason::kCapacityExceeded, "capacity_exceeded"}}};
};
template <>
struct EnumNames<OsmsCategory> {
  static constexpr std::array<std::pair<OsmsCategory, std::string_view>, 15> kAll{
      {{OsmsCategory::kNone, "none"},
       {OsmsCategory::kEmployee, "employee"},
       {OsmsCategory::kEntrepreneur, "entrepreneur"},
       {OsmsCategory::kSelfEmployed, "self_employed"},
       {OsmsCategory::kSelfPayer, "self_payer"},
       {OsmsCategory::kChild, "child"},
       {OsmsCategory::kPensioner, "pensioner"},
       {OsmsCategory::kDisabled, "disabled"},
       {OsmsCategory::kMotherOfMany, "mother_of_many"},
       {OsmsCategory::kChildCareLeave, "child_care_leave"},
       {OsmsCategory::kStudent, "student"},
       {OsmsCategory::kUnemployed, "unemployed"},
       {OsmsCategory::kConscript, "conscript"},
       {OsmsCategory::kConvict, "convict"},
       {OsmsCategory::kOtherPreferential, "other_preferential"}}};
};
template <>
struct EnumNames<OsmsPayer> {
  static constexpr std::array<std::pair<OsmsPayer, std::string_view>, 4> kAll{
      {{OsmsPayer::kNone, "none"},
       {OsmsPayer::kState, "state"},
       {OsmsPayer::kEmployer, "employer"},
       {OsmsPayer::kSelf, "self"}}};
};
template <>
struct EnumNames<Outcome> {
  static constexpr std::array<std::pair<Outcome, std::string_view>, 2> kAll{
      {{Outcome::kApproved, "approved"}, {Outcome::kRefused, "refused"}}};
};
template <>
struct EnumNames<PeriodEnd> {
  static constexpr std::array<std::pair<PeriodEnd, std::string_view>, 7> kAll{
      {{PeriodEnd::kOpen, "open"},
       {PeriodEnd::kSuperseded, "superseded"},
       {PeriodEnd::kCancelled, "cancelled"},
       {PeriodEnd::kDeath, "death"},
       {PeriodEnd::kLiquidation, "liquidation"},
       {PeriodEnd::kReorganisation, "reorganisation"},
       {PeriodEnd::kAgeOut, "age_out"}}};
};

}  // namespace emkhana::domain
