#include "http/signature.hpp"

#include <fmt/format.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

namespace emkhana::http {

namespace json = boost::json;

namespace {

// Owners of OpenSSL objects, so that every early return frees what was made.
template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;
using Pkcs8Ptr =
    std::unique_ptr<PKCS8_PRIV_KEY_INFO, Deleter<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>>;

std::string OpenSslError(std::string_view what) {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return std::string(what);
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return fmt::format("{}: {}", what, buf);
}

BioPtr MemoryBio(std::string_view text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// Strict base64 (RFC 4648, with padding; whitespace ignored): nullopt on anything else.
std::optional<std::string> DecodeBase64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string clean;
  for (char c : text) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') clean += c;
  }
  if (clean.empty() || clean.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < clean.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = clean[i + k];
      if (c == '=') {
        if (i + 4 != clean.size() || k < 2) return std::nullopt;
        v[k] = 0;
        ++pad;
      } else {
        if (pad > 0) return std::nullopt;
        v[k] = value(c);
        if (v[k] < 0) return std::nullopt;
      }
    }
    const unsigned triple = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out += static_cast<char>((triple >> 16) & 0xFF);
    if (pad < 2) out += static_cast<char>((triple >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(triple & 0xFF);
  }
  return out;
}

std::string EncodeBase64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// WebCrypto signs ECDSA as r||s; OpenSSL verifies DER. A signature that is already DER passes.
std::string EcdsaAsDer(const std::string& sig) {
  const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
  if (SigPtr parsed(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()))); parsed) {
    return sig;
  }
  ERR_clear_error();
  if (sig.empty() || sig.size() % 2 != 0 || sig.size() > 132) return sig;
  const int half = static_cast<int>(sig.size() / 2);
  const auto* raw = reinterpret_cast<const unsigned char*>(sig.data());
  BnPtr r(BN_bin2bn(raw, half, nullptr)), s(BN_bin2bn(raw + half, half, nullptr));
  SigPtr out(ECDSA_SIG_new());
  if (!r || !s || !out || ECDSA_SIG_set0(out.get(), r.get(), s.get()) != 1) return sig;
  (void)r.release();
  (void)s.release();
  unsigned char* der = nullptr;
  const int n = i2d_ECDSA_SIG(out.get(), &der);
  if (n <= 0) return sig;
  std::string result(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
  OPENSSL_free(der);
  return result;
}

// The IIN in the subject's serialNumber ("IIN123456789012" or the 12 digits), or empty.
std::string SubjectIin(X509* cert) {
  X509_NAME* name = X509_get_subject_name(cert);
  const int index = X509_NAME_get_index_by_NID(name, NID_serialNumber, -1);
  if (index < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  std::string text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                   static_cast<std::size_t>(ASN1_STRING_length(data)));
  if (text.starts_with("IIN")) text.erase(0, 3);
  if (text.size() != 12 || text.find_first_not_of("0123456789") != std::string::npos) return {};
  return text;
}

void CanonicalInto(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::object: {
      const auto& o = v.get_object();
      std::vector<const json::key_value_pair*> members;
      for (const auto& kv : o) members.push_back(&kv);
      std::sort(members.begin(), members.end(),
                [](const auto* a, const auto* b) { return a->key() < b->key(); });
      out += '{';
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (i) out += ',';
        out += json::serialize(json::string(members[i]->key()));
        out += ':';
        CanonicalInto(members[i]->value(), out);
      }
      out += '}';
      return;
    }
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += ',';
        first = false;
        CanonicalInto(item, out);
      }
      out += ']';
      return;
    }
    default:
      out += json::serialize(v);
  }
}

bool AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

bool SetRandomSerial(X509* cert) {
  BnPtr bn(BN_new());
  if (!bn || BN_rand(bn.get(), 120, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) return false;
  return BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr;
}

KeyPtr NewP256Key() { return KeyPtr(EVP_EC_gen("P-256")); }

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string CanonicalJson(const json::value& value) {
  std::string out;
  CanonicalInto(value, out);
  return out;
}

// ---------------------------------------------------------------- verifier

struct SignatureVerifier::State {
  X509_STORE* store = X509_STORE_new();
  ~State() { X509_STORE_free(store); }
};

Result<SignatureVerifier> SignatureVerifier::FromCaPem(std::string_view pem) {
  auto state = std::make_shared<State>();
  if (!state->store) return Error::Internal(OpenSslError("X509_STORE_new"));
  auto bio = MemoryBio(pem);
  int added = 0;
  while (X509Ptr cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) {
    if (X509_STORE_add_cert(state->store, cert.get()) != 1) {
      return Error::InvalidArgument(OpenSslError("a CA certificate cannot be added"));
    }
    ++added;
  }
  ERR_clear_error();  // the end of the PEM stream reads as an error
  if (added == 0) return Error::InvalidArgument("no PEM certificate in the CA file");
  SignatureVerifier v;
  v.state_ = std::move(state);
  return v;
}

Result<SignatureVerifier> SignatureVerifier::FromCaFile(const std::string& path) {
  auto text = ReadFile(path);
  if (!text) return Error::InvalidArgument(path + ": cannot be read");
  auto v = FromCaPem(*text);
  if (!v) return Error::InvalidArgument(path + ": " + v.error().message);
  return v;
}

SignatureVerifier::Outcome SignatureVerifier::Verify(std::string_view data,
                                                     std::string_view certificate_pem,
                                                     std::string_view signature_b64,
                                                     std::int64_t now_seconds) const {
  Outcome out;
  auto fail = [&](ProblemCode code, std::string detail) {
    ERR_clear_error();
    out.failure = {code, std::move(detail)};
    return out;
  };
  auto bio = MemoryBio(certificate_pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    return fail(ProblemCode::kSignatureInvalid, "signature.certificate: not a PEM certificate");
  }
  auto signature = DecodeBase64(signature_b64);
  if (!signature) return fail(ProblemCode::kSignatureInvalid, "signature.value: not base64");

  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), state_->store, cert.get(), nullptr) != 1) {
    return fail(ProblemCode::kSignatureUntrusted, "the certificate cannot be checked");
  }
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()),
                             static_cast<time_t>(now_seconds));
  if (X509_verify_cert(ctx.get()) != 1) {
    return fail(ProblemCode::kSignatureUntrusted,
                X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get())));
  }
  const std::string iin = SubjectIin(cert.get());
  if (iin.empty()) {
    return fail(ProblemCode::kSignatureInvalid, "the certificate names no IIN (serialNumber)");
  }
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  if (!key) return fail(ProblemCode::kSignatureInvalid, "the certificate has no usable key");
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) *signature = EcdsaAsDer(*signature);
  MdCtxPtr md(EVP_MD_CTX_new());
  const bool verified =
      md && EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                       signature->size(), reinterpret_cast<const unsigned char*>(data.data()),
                       data.size()) == 1;
  if (!verified) {
    return fail(ProblemCode::kSignatureInvalid,
                "the signature does not match the application and the certificate");
  }
  out.ok = true;
  out.signer_iin = iin;
  return out;
}

// ---------------------------------------------------------------- demo CA

struct DemoCa::State {
  KeyPtr key;
  X509Ptr cert;
  std::string pem;
};

Result<DemoCa> DemoCa::LoadOrCreate(const std::string& prefix) {
  const std::string key_path = prefix + "-ca.key", cert_path = prefix + "-ca.pem";
  auto state = std::make_shared<State>();
  auto key_text = ReadFile(key_path);
  auto cert_text = ReadFile(cert_path);
  if (key_text && cert_text) {
    auto kb = MemoryBio(*key_text);
    state->key.reset(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
    auto cb = MemoryBio(*cert_text);
    state->cert.reset(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
    if (!state->key || !state->cert) {
      return Error::InvalidArgument(OpenSslError(prefix + "-ca.*: cannot be read"));
    }
    state->pem = *cert_text;
  } else {
    state->key = NewP256Key();
    state->cert.reset(X509_new());
    X509* c = state->cert.get();
    if (!state->key || !c) return Error::Internal(OpenSslError("demo CA key"));
    X509_NAME* name = X509_get_subject_name(c);
    X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("KZ"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("Emkhana (synthetic)"), -1,
                               -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("Emkhana demo CA"), -1, -1,
                               0);
    const bool ok = X509_set_version(c, 2) == 1 && SetRandomSerial(c) &&
                    X509_gmtime_adj(X509_getm_notBefore(c), -3600) != nullptr &&
                    X509_gmtime_adj(X509_getm_notAfter(c), 10L * 365 * 86400) != nullptr &&
                    X509_set_issuer_name(c, name) == 1 &&
                    X509_set_pubkey(c, state->key.get()) == 1 &&
                    AddExtension(c, c, NID_basic_constraints, "critical,CA:TRUE") &&
                    AddExtension(c, c, NID_key_usage, "critical,keyCertSign,cRLSign") &&
                    AddExtension(c, c, NID_subject_key_identifier, "hash") &&
                    X509_sign(c, state->key.get(), EVP_sha256()) > 0;
    if (!ok) return Error::Internal(OpenSslError("demo CA certificate"));
    BioPtr kb(BIO_new(BIO_s_mem())), cb(BIO_new(BIO_s_mem()));
    if (PEM_write_bio_PrivateKey(kb.get(), state->key.get(), nullptr, nullptr, 0, nullptr,
                                 nullptr) != 1 ||
        PEM_write_bio_X509(cb.get(), c) != 1) {
      return Error::Internal(OpenSslError("demo CA PEM"));
    }
    state->pem = BioText(cb.get());
    const std::string key_pem = BioText(kb.get());
    const mode_t old_mask = umask(077);
    std::ofstream key_out(key_path, std::ios::binary | std::ios::trunc);
    key_out << key_pem;
    key_out.close();
    umask(old_mask);
    std::ofstream cert_out(cert_path, std::ios::binary | std::ios::trunc);
    cert_out << state->pem;
    cert_out.close();
    if (!key_out || !cert_out) return Error::Unavailable(prefix + "-ca.*: cannot be written");
  }
  DemoCa ca;
  ca.state_ = std::move(state);
  return ca;
}

const std::string& DemoCa::certificate_pem() const { return state_->pem; }

Result<DemoCa::Issued> DemoCa::Issue(std::string_view iin, std::string_view person_name,
                                     std::int64_t now_seconds, int days) const {
  KeyPtr key = NewP256Key();
  X509Ptr cert(X509_new());
  if (!key || !cert) return Error::Internal(OpenSslError("demo key"));
  X509* c = cert.get();
  X509_NAME* name = X509_get_subject_name(c);
  const std::string serial = "IIN" + std::string(iin);
  const std::string cn = person_name.empty() ? serial : std::string(person_name);
  X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("KZ"),
                             -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "serialNumber", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(serial.c_str()), -1, -1, 0);
  ASN1_TIME_set(X509_getm_notBefore(c), static_cast<time_t>(now_seconds - 3600));
  ASN1_TIME_set(X509_getm_notAfter(c), static_cast<time_t>(now_seconds + days * 86400L));
  const bool ok = X509_set_version(c, 2) == 1 && SetRandomSerial(c) &&
                  X509_set_issuer_name(c, X509_get_subject_name(state_->cert.get())) == 1 &&
                  X509_set_pubkey(c, key.get()) == 1 &&
                  AddExtension(c, state_->cert.get(), NID_basic_constraints, "critical,CA:FALSE") &&
                  AddExtension(c, state_->cert.get(), NID_key_usage,
                               "critical,digitalSignature,nonRepudiation") &&
                  X509_sign(c, state_->key.get(), EVP_sha256()) > 0;
  if (!ok) return Error::Internal(OpenSslError("demo certificate"));
  Issued issued;
  BioPtr cb(BIO_new(BIO_s_mem())), kb(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_X509(cb.get(), c) != 1 ||
      PEM_write_bio_PrivateKey(kb.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Error::Internal(OpenSslError("demo PEM"));
  }
  issued.certificate_pem = BioText(cb.get());
  issued.key_pem = BioText(kb.get());
  Pkcs8Ptr p8(EVP_PKEY2PKCS8(key.get()));
  unsigned char* der = nullptr;
  const int n = p8 ? i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &der) : -1;
  if (n <= 0) return Error::Internal(OpenSslError("demo PKCS#8"));
  issued.key_pkcs8_b64 = EncodeBase64(std::string_view(reinterpret_cast<char*>(der), n));
  OPENSSL_free(der);
  return issued;
}

}  // namespace emkhana::http
