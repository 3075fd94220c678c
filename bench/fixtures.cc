#include "fixtures.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

namespace tock::bench {
namespace {

namespace fs = std::filesystem;

UnixSeconds g_iat = 0;
std::unique_ptr<FixedClock> g_clock;
std::unique_ptr<Validator> g_validator;
std::map<Algorithm, std::unique_ptr<AlgFixture>> g_fixtures;

bool ReadText(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  out = buffer.str();
  return true;
}

void WriteText(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) Die("cannot write " + path.string());
}

template <typename T>
T ValueOrDie(Result<T> result, const std::string& what) {
  if (!result.ok()) Die(what + ": " + result.error().message());
  return std::move(result).value();
}

// LoadOneKey loads the first key of PEM |pem| with tock's own loader.
Key LoadOneKey(const std::string& pem, const std::string& what) {
  LoadedKeys loaded = ValueOrDie(LoadKeys(pem), "loading " + what);
  if (loaded.keys.empty()) Die(what + " holds no key");
  return loaded.keys.front();
}

// OpenSslKeys parses the PKCS#8 PEM with OpenSSL alone (the ceiling must not
// lean on tock's parsing) and derives the SPKI PEM from it.
void OpenSslKeys(AlgFixture& f) {
  BIO* in = BIO_new_mem_buf(f.private_pem.data(), static_cast<int>(f.private_pem.size()));
  f.ossl_private.reset(PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr));
  BIO_free(in);
  if (!f.ossl_private) Die("OpenSSL cannot read the private PEM");
  BIO* out = BIO_new(BIO_s_mem());
  if (PEM_write_bio_PUBKEY(out, f.ossl_private.get()) != 1) Die("PEM_write_bio_PUBKEY failed");
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  f.public_pem.assign(data, static_cast<std::size_t>(size));
  BIO_free(out);
  BIO* pub = BIO_new_mem_buf(f.public_pem.data(), static_cast<int>(f.public_pem.size()));
  f.ossl_public.reset(PEM_read_bio_PUBKEY(pub, nullptr, nullptr, nullptr));
  BIO_free(pub);
  if (!f.ossl_public) Die("OpenSSL cannot read the public PEM");
}

std::string NewSecret() {
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) Die("RAND_bytes failed");
    std::string secret(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    // FromSecret refuses bytes that look like key material; random bytes
    // almost never do, but retry rather than fail a run.
    if (Key::FromSecret(secret).ok()) return secret;
  }
  Die("no acceptable random HMAC secret in 16 attempts");
}

// MakeKeys fills the key members, from |dir| when the key file is there.
void MakeKeys(AlgFixture& f, const fs::path& key_file, bool reuse) {
  const bool hmac = f.alg == Algorithm::kHS256;
  std::string stored;
  const bool have = reuse && ReadText(key_file, stored);
  if (hmac) {
    f.secret = have ? stored : NewSecret();
    Key key = ValueOrDie(Key::FromSecret(f.secret), "the HMAC secret");
    f.kid = key.Thumbprint();
    f.signing_key = std::make_unique<Key>(key.WithKid(f.kid));
    f.verify_key = std::make_unique<Key>(key.WithKid(f.kid));
    return;
  }
  if (have) {
    f.private_pem = stored;
  } else {
    Key generated = ValueOrDie(GenerateKey(f.alg), "GenerateKey");
    f.private_pem = ValueOrDie(generated.PrivatePem(), "PrivatePem");
  }
  Key private_key = LoadOneKey(f.private_pem, "the private PEM");
  f.kid = private_key.Thumbprint();
  OpenSslKeys(f);
  Key public_key = LoadOneKey(f.public_pem, "the public PEM");
  if (public_key.Thumbprint() != f.kid) Die("public and private thumbprints differ");
  f.signing_key = std::make_unique<Key>(private_key.WithKid(f.kid));
  f.verify_key = std::make_unique<Key>(public_key.WithKid(f.kid));
}

void BuildFixture(Algorithm alg, const std::string& dir, bool reuse) {
  auto f = std::make_unique<AlgFixture>();
  f->alg = alg;
  const std::string name(ToString(alg));
  const fs::path base = dir.empty() ? fs::path() : fs::path(dir);
  MakeKeys(*f, base / (name + ".key"), reuse);
  if (!(reuse && ReadText(base / (name + ".token"), f->token))) {
    f->token = ValueOrDie(StandardBuilder(f->kid).Sign(*f->signing_key, alg), "signing " + name);
  }
  const std::size_t dot = f->token.rfind('.');
  if (dot == std::string::npos) Die("the " + name + " token has no '.'");
  f->signing_input = f->token.substr(0, dot);
  f->signature = Base64UrlDecodeOrDie(std::string_view(f->token).substr(dot + 1));
  f->verifier = std::make_unique<Verifier>(JwkSet({*f->verify_key}), BenchClock());
  Result<VerifiedToken> check = f->verifier->Verify(f->token, StandardValidator());
  if (!check.ok()) Die("the standard " + name + " token fails: " + check.error().message());
  if (!dir.empty()) {
    WriteText(base / (name + ".key"), alg == Algorithm::kHS256 ? f->secret : f->private_pem);
    if (!f->public_pem.empty()) WriteText(base / (name + ".pub.pem"), f->public_pem);
    WriteText(base / (name + ".token"), f->token);
    WriteText(base / (name + ".kid"), f->kid);
  }
  g_fixtures[alg] = std::move(f);
}

std::string JsonString(std::string_view text) {
  // Only the fixed ASCII strings above pass through here.
  std::string out(1, '"');
  out.append(text);
  out.push_back('"');
  return out;
}

void WriteClaims(const fs::path& dir, const std::vector<Algorithm>& algs) {
  std::ostringstream claims;
  claims << "{\"iss\":" << JsonString(kIssuer) << ",\"sub\":" << JsonString(kSubject)
         << ",\"aud\":" << JsonString(kAudience) << ",\"iat\":" << g_iat
         << ",\"nbf\":" << g_iat - kNbfBackdate << ",\"exp\":" << g_iat + kTtl
         << ",\"jti\":" << JsonString(kJti) << ",\"scope\":" << JsonString(kScope) << "}\n";
  WriteText(dir / "claims.json", claims.str());
  std::ostringstream meta;
  meta << "{\"now\":" << BenchClock().Now() << ",\"skew\":" << kDefaultSkewSeconds << ",\"algs\":[";
  for (std::size_t i = 0; i < algs.size(); ++i) {
    meta << (i ? "," : "") << JsonString(ToString(algs[i]));
  }
  meta << "]}\n";
  WriteText(dir / "meta.json", meta.str());
}

}  // namespace

void EvpPkeyFree::operator()(EVP_PKEY* pkey) const { EVP_PKEY_free(pkey); }

void Die(const std::string& what) {
  std::cerr << "tock bench: " << what << "\n";
  std::exit(2);
}

const std::vector<Algorithm>& BenchAlgorithms() {
  static const std::vector<Algorithm> algs = {Algorithm::kHS256, Algorithm::kRS256,
                                              Algorithm::kPS256, Algorithm::kES256,
                                              Algorithm::kES384, Algorithm::kEdDSA};
  return algs;
}

void InitFixtures(const std::string& dir, const std::vector<Algorithm>& algs) {
  std::string times;
  bool reuse = false;
  if (!dir.empty()) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) Die("cannot create " + dir + ": " + ec.message());
    reuse = ReadText(fs::path(dir) / "times", times);
  }
  g_iat = reuse ? std::strtoll(times.c_str(), nullptr, 10) : SystemClock().Now();
  if (g_iat <= 0) Die("bad times file in " + dir);
  g_clock = std::make_unique<FixedClock>(g_iat + kClockAfterIat);
  g_validator = std::make_unique<Validator>(ValueOrDie(ValidatorBuilder()
                                                           .AddIssuer(std::string(kIssuer))
                                                           .AddAudience(std::string(kAudience))
                                                           .Build(),
                                                       "the standard validator"));
  for (Algorithm alg : algs) BuildFixture(alg, dir, reuse);
  if (!dir.empty()) {
    WriteText(fs::path(dir) / "times", std::to_string(g_iat) + "\n");
    WriteClaims(dir, algs);
  }
}

const AlgFixture& Fixture(Algorithm alg) {
  auto it = g_fixtures.find(alg);
  if (it == g_fixtures.end()) Die("no fixture for " + std::string(ToString(alg)));
  return *it->second;
}

UnixSeconds IssuedAt() { return g_iat; }

const Clock& BenchClock() { return *g_clock; }

const Validator& StandardValidator() { return *g_validator; }

TokenBuilder StandardBuilder(std::string_view kid) {
  TokenBuilder builder;
  builder.SetKid(std::string(kid));
  builder.SetString("iss", kIssuer);
  builder.SetString("sub", kSubject);
  builder.SetAudiences({std::string(kAudience)});
  builder.SetNumber("iat", g_iat);
  builder.SetNumber("nbf", g_iat - kNbfBackdate);
  builder.SetNumber("exp", g_iat + kTtl);
  builder.SetString("jti", kJti);
  builder.SetString("scope", kScope);
  return builder;
}

std::string Base64UrlDecodeOrDie(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  std::string out;
  unsigned int acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = value(c);
    if (v < 0) Die("bad base64url in a fixture");
    acc = (acc << 6) | static_cast<unsigned int>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

}  // namespace tock::bench
