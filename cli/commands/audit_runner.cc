#include "commands/audit_runner.h"

#include <chrono>
#include <thread>

namespace tock::cli::audit {
namespace {

// A 429 says nothing about the token: back off and ask again, a few times.
constexpr int kRetriesOn429 = 2;

std::string PathOf(const std::string& target) { return target.substr(0, target.find('?')); }

void Judge(const BearerClient& client, const BearerAnswer& answer, AttackCase& c) {
  c.status = answer.status;
  if (!answer.status) {
    c.outcome = Outcome::kError;
    c.reason = "no answer: " + answer.transport_error;
  } else if (*answer.status >= 500) {
    c.outcome = Outcome::kError;
    c.reason = "HTTP " + std::to_string(*answer.status) + " to a hostile token";
  } else if (client.Accepted(*answer.status)) {
    c.outcome = c.policy ? Outcome::kNote : Outcome::kAccepted;
  } else {
    c.outcome = Outcome::kRefused;
  }
}

void SendCase(BearerClient& client, AttackCase& c) {
  for (int attempt = 0;; ++attempt) {
    std::optional<BearerAnswer> answer = client.Send(c.token);
    if (!answer) {
      c.outcome = Outcome::kSkipped;
      c.reason = "request cap reached (" + std::to_string(client.sent()) + " requests)";
      return;
    }
    if (answer->status == 429 && attempt < kRetriesOn429) {
      std::this_thread::sleep_for(std::chrono::seconds(1 << attempt));
      continue;
    }
    if (answer->status == 429) {
      c.outcome = Outcome::kSkipped;
      c.status = 429;
      c.reason = "rate limited: 429 after " + std::to_string(kRetriesOn429) + " retries";
      return;
    }
    Judge(client, *answer, c);
    return;
  }
}

void MarkFetches(const Listener& listener, const std::string& callback_base, AuditReport& report) {
  for (const Fetch& fetch : listener.Fetches()) {
    SsrfFetch ssrf{fetch, callback_base + fetch.target, "", ""};
    for (AttackCase& c : report.cases) {
      if (c.fetch_path.empty() || c.fetch_path != PathOf(fetch.target)) continue;
      ssrf.klass = c.klass;
      ssrf.name = c.name;
      // Accepted stays accepted (the graver finding); else the fetch is one.
      if (c.outcome != Outcome::kAccepted && c.outcome != Outcome::kSkipped) {
        c.outcome = Outcome::kFetched;
        c.reason = "the validator fetched " + ssrf.url;
      }
    }
    report.ssrf_fetches.push_back(std::move(ssrf));
  }
}

}  // namespace

int AuditReport::Findings() const {
  int n = 0;
  for (const AttackCase& c : cases) n += IsFinding(c.outcome) ? 1 : 0;
  return n;
}

int AuditReport::Notes() const {
  int n = 0;
  for (const AttackCase& c : cases) n += c.outcome == Outcome::kNote ? 1 : 0;
  return n;
}

void RunCases(BearerClient& client, const Listener* listener, const std::string& callback_base,
              double fetch_wait_s, AuditReport& report) {
  bool names_listener = false;
  for (AttackCase& c : report.cases) {
    if (c.token.empty()) continue;  // skipped by the catalogue
    SendCase(client, c);
    names_listener = names_listener || (!c.fetch_path.empty() && c.outcome != Outcome::kSkipped);
  }
  if (listener != nullptr && names_listener && fetch_wait_s > 0) {
    // A validator may fetch in the background after answering.
    std::this_thread::sleep_for(std::chrono::duration<double>(fetch_wait_s));
  }
  if (listener != nullptr) MarkFetches(*listener, callback_base, report);
  report.requests = client.sent();
}

}  // namespace tock::cli::audit
