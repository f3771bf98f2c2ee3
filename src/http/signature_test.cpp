// Signatures of applications: the canonical form, and verification against a CA made here.
#include "http/signature.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/json.hpp>

#include <ctime>
#include <filesystem>

namespace emkhana::http {
namespace {

// The demo CA dates its own certificate from the real clock, so the tests do too.
const std::int64_t kNow = std::time(nullptr);

std::string TempPrefix(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("emkhana-sig-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

// Signs with a PEM private key (SHA-256); DER for ECDSA.
std::string Sign(const std::string& key_pem, std::string_view data) {
  BIO* bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  std::size_t len = 0;
  EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key);
  EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                 data.size());
  std::string sig(len, '\0');
  EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(data.data()), data.size());
  sig.resize(len);
  EVP_MD_CTX_free(md);
  EVP_PKEY_free(key);
  return sig;
}

std::string Base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  out.resize(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                             reinterpret_cast<const unsigned char*>(bytes.data()),
                             static_cast<int>(bytes.size())));
  return out;
}

TEST(CanonicalJson, SortsKeysAtEveryDepthWithoutWhitespace) {
  auto v = boost::json::parse(R"({ "b": 1, "a": {"y": [true, null, "é\n"], "x": "q"} })");
  EXPECT_EQ(CanonicalJson(v), R"({"a":{"x":"q","y":[true,null,"é\n"]},"b":1})");
}

TEST(Signature, VerifiesTheSignerAndRefusesEverythingElse) {
  auto ca = DemoCa::LoadOrCreate(TempPrefix("a"));
  ASSERT_TRUE(ca) << ca.error().message;
  auto verifier = SignatureVerifier::FromCaPem(ca->certificate_pem());
  ASSERT_TRUE(verifier);
  auto issued = ca->Issue("900101300007", "Тест Тестов", kNow);
  ASSERT_TRUE(issued) << issued.error().message;
  const std::string data = R"({"iin":"900101300007"})";
  const std::string sig = Base64(Sign(issued->key_pem, data));

  auto ok = verifier->Verify(data, issued->certificate_pem, sig, kNow);
  EXPECT_TRUE(ok.ok) << ok.failure.detail;
  EXPECT_EQ(ok.signer_iin, "900101300007");

  auto tampered = verifier->Verify(data + " ", issued->certificate_pem, sig, kNow);
  EXPECT_FALSE(tampered.ok);
  EXPECT_EQ(tampered.failure.code, ProblemCode::kSignatureInvalid);

  auto expired = verifier->Verify(data, issued->certificate_pem, sig, kNow + 40 * 86400);
  EXPECT_EQ(expired.failure.code, ProblemCode::kSignatureUntrusted);

  auto other_ca = DemoCa::LoadOrCreate(TempPrefix("b"));
  ASSERT_TRUE(other_ca);
  auto stranger = other_ca->Issue("900101300007", "", kNow);
  ASSERT_TRUE(stranger);
  auto untrusted = verifier->Verify(data, stranger->certificate_pem,
                                    Base64(Sign(stranger->key_pem, data)), kNow);
  EXPECT_EQ(untrusted.failure.code, ProblemCode::kSignatureUntrusted);

  for (const char* junk : {"", "AAAA", "not base64!", "===="}) {
    EXPECT_FALSE(verifier->Verify(data, issued->certificate_pem, junk, kNow).ok) << junk;
  }
  EXPECT_FALSE(verifier->Verify(data, "-----BEGIN CERTIFICATE-----\nAAAA\n", sig, kNow).ok);
}

TEST(Signature, TheCaIsKeptAndReloaded) {
  const auto prefix = TempPrefix("c");
  auto first = DemoCa::LoadOrCreate(prefix);
  auto second = DemoCa::LoadOrCreate(prefix);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->certificate_pem(), second->certificate_pem());
  EXPECT_EQ(std::filesystem::status(prefix + "-ca.key").permissions() &
                std::filesystem::perms::others_read,
            std::filesystem::perms::none);
  EXPECT_FALSE(SignatureVerifier::FromCaPem("no certificate here"));
}

}  // namespace
}  // namespace emkhana::http
