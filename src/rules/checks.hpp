// The rule groups of DOMAIN.md, one small pure function each (one .cpp per group). Every check
// appends the reasons it finds to `out`; none stops the evaluation (FORMAT.md: all failing rules
// are reported), except identity, which evaluate.cpp runs first and alone.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "rules/context.hpp"

namespace emkhana::rules {

// identity.cpp: invalid_iin, unknown_person, false_data, deceased (first failure only).
std::optional<domain::Reason> CheckIdentity(const domain::Application& app,
                                            const RegistryView& view);
// applicant.cpp: no_consent, no_representation.
void CheckApplicant(const Context& ctx, ReasonList& out);
// channel.cpp: channel_not_allowed; missing_documents.
void CheckChannel(const Context& ctx, ReasonList& out);
void CheckDocuments(const Context& ctx, ReasonList& out);
// eligibility.cpp: not_eligible.
void CheckEligibility(const Context& ctx, ReasonList& out);
// organisation.cpp: org_not_eligible, already_attached; wrong_district (on the effective date).
void CheckOrganisation(const Context& ctx, const Plan& plan, ReasonList& out);
void CheckDistrict(const Context& ctx, const Plan& plan, ReasonList& out);
// territory.cpp: territory.
void CheckTerritory(const Context& ctx, ReasonList& out);
// timing.cpp: the plan (effective date, kind of change); outside_campaign, too_frequent,
// invalid_basis.
Plan MakePlan(const Context& ctx);
void CheckTiming(const Context& ctx, const Plan& plan, ReasonList& out);
// capacity.cpp: the district that would take the person (the chosen one if it keeps room on
// every date from `effective` on; else the fitting one with most free places, ties by smaller
// id); null when none has room.
const domain::District* PickDistrict(const Context& ctx, const Plan& plan);
// Among `candidates` that serve `age`, the one with most free places on `day` (ties: smaller id),
// preferring those that keep room from `day` on; with `require_room`, only those. Used both for
// applications and for lifecycle moves made "capacity notwithstanding".
const domain::District* MostFreeFitting(const RegistryView& view,
                                        std::span<const domain::District* const> candidates,
                                        int age, domain::Date day, bool require_room,
                                        const domain::Iin* excluding = nullptr);
// The places a district offers: its explicit capacity, else the norm for its kind times its
// doctors (DOMAIN.md, "Capacity").
int DistrictCapacity(const domain::District& district, const domain::Norms& norms);
// deadline.cpp: decide_by.
domain::Date DecideBy(const domain::Application& app, const domain::Calendar& calendar);

}  // namespace emkhana::rules
