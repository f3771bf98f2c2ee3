// Shared by the fuzz targets (not part of the product): a scratch directory removed at exit, the
// splitting of one input into fields, and the tiny world that the API targets call into: an
// in-memory registry of a few synthetic people (IINs from scripts/iin.py), an Api over it with
// a token for every role, a demo CA that it trusts, and a web root of two files.
//
// Every check that fails calls FuzzCheck, which aborts: libFuzzer keeps the input as a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "http/api.hpp"
#include "http/signature.hpp"
#include "http/static_files.hpp"
#include "registry/registry.hpp"
#include "registry/service.hpp"
#include "storage/store.hpp"

namespace emkhana::fuzz {

// "Now" for every target: 2025-04-15 10:00 UTC, inside the rules' campaign and the tokens' life.
inline constexpr std::int64_t kNowSeconds = 1'744'711'200;

// Aborts with `what` when `ok` is false (a finding, not an input error).
void FuzzCheck(bool ok, std::string_view what);

// A directory under TMPDIR made on first use, removed at exit.
const std::string& ScratchDir();

// The input's bytes cut at each '\0' into at most `n` fields (the last keeps the rest).
std::vector<std::string_view> Fields(std::string_view input, std::size_t n);

struct World {
  ManualClock clock{kNowSeconds * 1'000'000};
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<registry::Registry> registry;
  std::optional<http::DemoCa> ca;
  std::optional<http::SignatureVerifier> verifier;
  std::unique_ptr<http::TokenVerifier> tokens;
  std::optional<http::StaticFiles> web;
  std::unique_ptr<registry::Service> service;  // before the API, which uses it
  std::unique_ptr<http::Api> api;
  // "Bearer ..." for: nobody (empty), citizen, registrar, region, fund, admin.
  std::vector<std::string> authorizations;
};

// Made on first call; its pipeline is drained at exit.
World& TheWorld();

}  // namespace emkhana::fuzz
