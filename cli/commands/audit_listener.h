// The audit's listener: the URL that `jku` and `x5u` tokens name. It serves
// the audit's own key (a JWKS for jku, a self-signed certificate for x5u)
// and records every request, because a validator that fetches a URL named
// by an unverified token is open to SSRF whatever it then decides.
#ifndef TOCK_CLI_COMMANDS_AUDIT_LISTENER_H_
#define TOCK_CLI_COMMANDS_AUDIT_LISTENER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tock/result.h"

namespace tock::cli::audit {

// Fetch is one request the listener received.
struct Fetch {
  std::string method;
  std::string target;  // path and query as requested
  std::string remote;  // peer address
};

// Document is what the listener serves at one path.
struct Document {
  std::string content_type;
  std::string body;
};

class Listener {
 public:
  // Start binds |host|:|port| (port 0: any free port) and answers on a
  // thread of its own: the documents Publish gave, 404 for other paths.
  // kNetworkError naming the address when it cannot bind.
  static Result<std::unique_ptr<Listener>> Start(const std::string& host, unsigned short port);
  ~Listener();  // stops the thread
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  unsigned short port() const;
  // Publish replaces the served documents (path → document).
  void Publish(std::map<std::string, Document> documents);
  // Fetches returns every request received so far, in order.
  std::vector<Fetch> Fetches() const;

 private:
  struct Impl;
  explicit Listener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tock::cli::audit

#endif  // TOCK_CLI_COMMANDS_AUDIT_LISTENER_H_
