// Signature envelopes (http/signature.cpp): SignatureVerifier::Verify over a certificate PEM, a
// base64 value and the signed text, with a demo CA made once at start. The first byte picks what
// the rest is (fields cut at '\0'):
//   0: certificate PEM, value, text, all from the input;
//   1: value and text, with a certificate the CA issued;
//   2: text, signed here (DER or WebCrypto's r||s, maybe with one byte changed): it verifies, as
//      the certificate's IIN, exactly when unchanged;
//   3: a DER certificate, wrapped as PEM here;
//   4: the subject serialNumber (any bytes, as a PrintableString or a UTF8String) of a certificate
//      the CA issues here, and the text, signed: it verifies exactly when the serialNumber is
//      12 digits, "IIN" and 12 digits, and then as that IIN.
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>

#include "common.hpp"

using namespace emkhana;

namespace {

constexpr std::string_view kIin = "850305300014";
// The demo CA is valid from an hour before it was made (now, by the system clock), so the
// certificates are checked at the time the process started, not at the world's fixed date.
const std::int64_t kNow = std::time(nullptr);

struct Signer {
  http::DemoCa::Issued issued;
  EVP_PKEY* key = nullptr;  // for the life of the process
};

EVP_PKEY* ReadKey(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  fuzz::FuzzCheck(key != nullptr, "the issued key reads back");
  return key;
}

Signer Issue(std::string_view iin, std::string_view name) {
  auto issued = fuzz::TheWorld().ca->Issue(iin, name, kNow);
  fuzz::FuzzCheck(static_cast<bool>(issued), "the demo CA issues");
  Signer s{std::move(*issued)};
  s.key = ReadKey(s.issued.key_pem);
  return s;
}

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// A SHA-256 ECDSA signature of `text` in DER, or as r||s (32 bytes each) when `raw`.
std::string Sign(EVP_PKEY* key, std::string_view text, bool raw) {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  std::size_t len = 0;
  std::string der;
  bool ok = EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char*>(text.data()),
                           text.size()) == 1;
  if (ok) {
    der.resize(len);
    ok = EVP_DigestSign(md, reinterpret_cast<unsigned char*>(der.data()), &len,
                        reinterpret_cast<const unsigned char*>(text.data()), text.size()) == 1;
    der.resize(len);
  }
  EVP_MD_CTX_free(md);
  fuzz::FuzzCheck(ok, "signing");
  if (!raw) return der;
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  fuzz::FuzzCheck(sig != nullptr, "our DER signature parses");
  std::string out(64, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), bytes, 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), bytes + 32, 32);
  ECDSA_SIG_free(sig);
  return out;
}

// A certificate of the demo CA for Fixed()'s key, naming `serial` as the subject's serialNumber
// with ASN.1 type `type` (the bytes as they are: DemoCa::Issue would refuse some); "" when
// OpenSSL cannot encode it. Made here, with the CA's key read once: no key is made per input.
std::string IssueHere(std::string_view serial, int type);

const Signer& Fixed() {
  static const Signer signer = Issue(kIin, "Synthetic One");
  return signer;
}

std::string IssueHere(std::string_view serial, int type) {
  static EVP_PKEY* const ca_key = [] {
    std::ifstream in(fuzz::ScratchDir() + "/demo-ca.key");
    std::stringstream pem;
    pem << in.rdbuf();
    return ReadKey(pem.str());
  }();
  static X509* const ca = [] {
    const auto& pem = fuzz::TheWorld().ca->certificate_pem();
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    return cert;
  }();
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509* c = cert.get();
  X509_NAME* name = X509_get_subject_name(c);
  const bool ok =
      X509_NAME_add_entry_by_NID(name, NID_serialNumber, type,
                                 reinterpret_cast<const unsigned char*>(serial.data()),
                                 static_cast<int>(serial.size()), -1, 0) == 1 &&
      X509_set_version(c, 2) == 1 && ASN1_INTEGER_set(X509_get_serialNumber(c), 1) == 1 &&
      ASN1_TIME_set(X509_getm_notBefore(c), static_cast<time_t>(kNow - 3600)) != nullptr &&
      ASN1_TIME_set(X509_getm_notAfter(c), static_cast<time_t>(kNow + 86400)) != nullptr &&
      X509_set_issuer_name(c, X509_get_subject_name(ca)) == 1 &&
      X509_set_pubkey(c, Fixed().key) == 1 && X509_sign(c, ca_key, EVP_sha256()) > 0;
  BIO* out = BIO_new(BIO_s_mem());
  std::string pem;
  if (ok && PEM_write_bio_X509(out, c) == 1) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(out, &data);
    pem.assign(data, static_cast<std::size_t>(n));
  }
  BIO_free(out);
  ERR_clear_error();
  return pem;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto& verifier = *fuzz::TheWorld().verifier;
  const std::uint8_t mode = data[0];
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (mode % 5) {
    case 0: {
      const auto f = fuzz::Fields(rest, 3);
      const auto out = verifier.Verify(f[2], f[0], f[1], kNow);
      fuzz::FuzzCheck(!out.ok, "no certificate from the input chains to the demo CA");
      break;
    }
    case 1: {
      const auto f = fuzz::Fields(rest, 2);
      const auto out = verifier.Verify(f[1], Fixed().issued.certificate_pem, f[0], kNow);
      fuzz::FuzzCheck(!out.ok || out.signer_iin == kIin, "the signer is the certificate's");
      break;
    }
    case 2: {
      // rest: [flags][position][text...]
      if (rest.size() < 2) return 0;
      const auto flags = static_cast<unsigned char>(rest[0]);
      const auto position = static_cast<unsigned char>(rest[1]);
      const auto text = rest.substr(2);
      auto signature = Sign(Fixed().key, text, flags & 1);
      const bool tamper = flags & 2;
      if (tamper) signature[position % signature.size()] ^= static_cast<char>((flags >> 2) | 1);
      const auto out =
          verifier.Verify(text, Fixed().issued.certificate_pem, Base64(signature), kNow);
      fuzz::FuzzCheck(out.ok != tamper, "verifies exactly when unchanged: " + out.failure.detail);
      fuzz::FuzzCheck(!out.ok || out.signer_iin == kIin, "the signer is the certificate's");
      break;
    }
    case 3: {
      std::string pem = "-----BEGIN CERTIFICATE-----\n";
      const auto b64 = Base64(rest);
      for (std::size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
      pem += "-----END CERTIFICATE-----\n";
      const auto out = verifier.Verify("text", pem, "AAAA", kNow);
      fuzz::FuzzCheck(!out.ok, "a certificate from the input is not trusted");
      break;
    }
    default: {
      const auto f = fuzz::Fields(rest, 2);
      const auto certificate =
          IssueHere(f[0], mode & 8 ? V_ASN1_UTF8STRING : V_ASN1_PRINTABLESTRING);
      if (certificate.empty()) return 0;  // OpenSSL would not encode that name
      const auto out =
          verifier.Verify(f[1], certificate, Base64(Sign(Fixed().key, f[1], mode & 16)), kNow);
      auto iin = f[0];
      if (iin.starts_with("IIN")) iin.remove_prefix(3);
      const bool twelve_digits =
          iin.size() == 12 && iin.find_first_not_of("0123456789") == std::string_view::npos;
      fuzz::FuzzCheck(out.ok == twelve_digits,
                      "verifies exactly when the serialNumber is an IIN: " + out.failure.detail);
      fuzz::FuzzCheck(!out.ok || out.signer_iin == iin, "the signer is the certificate's IIN");
    }
  }
  return 0;
}
