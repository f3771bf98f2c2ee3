// Digital signatures (ЭЦП) of applications sent through the `egov` and `mobile` channels.
//
// What is signed: the canonical JSON of the application body without its `signature` member
// (object keys sorted by their bytes, no whitespace, strings escaped as JSON.stringify escapes
// them). The body carries `"signature": {"certificate": PEM, "value": base64}`; the value is a
// SHA-256 signature by the certificate's key: RSA PKCS#1 v1.5, or ECDSA in DER or in the raw
// r||s form that WebCrypto produces.
//
// Who signed: the certificate must chain to a trusted CA (a PEM file), be valid at the given
// time, and name the signer's IIN in its subject serialNumber ("IIN" + 12 digits, as the
// national CA writes it; 12 digits alone are accepted too).
//
// DemoCa issues such certificates for demos and tests: a P-256 CA kept beside the database.
//
// Thread-safety: a SignatureVerifier is immutable after construction; Verify may be called from
// any number of threads. DemoCa::Issue is safe to call concurrently too.
#pragma once

#include <boost/json/fwd.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "http/problem.hpp"

namespace emkhana::http {

// The bytes that are signed: keys sorted, no whitespace.
std::string CanonicalJson(const boost::json::value& value);

struct SignatureFailure {
  ProblemCode code;
  std::string detail;
};

class SignatureVerifier {
 public:
  // Trusts the CA certificates in a PEM file (one or more).
  static Result<SignatureVerifier> FromCaPem(std::string_view pem);
  static Result<SignatureVerifier> FromCaFile(const std::string& path);

  // The signer's IIN when `signature_b64` over `data` verifies with `certificate_pem` and the
  // certificate is trusted at `now_seconds`; otherwise why not.
  struct Outcome {
    bool ok = false;
    std::string signer_iin;
    SignatureFailure failure{ProblemCode::kSignatureInvalid, ""};
  };
  Outcome Verify(std::string_view data, std::string_view certificate_pem,
                 std::string_view signature_b64, std::int64_t now_seconds) const;

 private:
  struct State;
  std::shared_ptr<const State> state_;
};

// A certificate authority for demos and tests. Its key and certificate live in
// `<prefix>-ca.key` (mode 0600) and `<prefix>-ca.pem`, made on first use.
class DemoCa {
 public:
  static Result<DemoCa> LoadOrCreate(const std::string& prefix);
  const std::string& certificate_pem() const;

  struct Issued {
    std::string key_pkcs8_b64;  // the private key, PKCS#8 DER in base64 (WebCrypto imports it)
    std::string key_pem;        // the same key in PEM
    std::string certificate_pem;
  };
  // A P-256 key and a certificate naming `iin`, valid from an hour ago for `days` days.
  Result<Issued> Issue(std::string_view iin, std::string_view name, std::int64_t now_seconds,
                       int days = 30) const;

 private:
  struct State;
  std::shared_ptr<const State> state_;
};

}  // namespace emkhana::http
