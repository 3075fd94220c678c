// StartSession: one HTTP/1.1 connection of HttpServer (plain or TLS).
// Private to server/http; the Session class is in session.cc, instantiated
// there for the two stream types.
#ifndef TOCK_SERVER_HTTP_SESSION_H_
#define TOCK_SERVER_HTTP_SESSION_H_

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "http/shared_state.h"

namespace tock::server::detail {

namespace beast = boost::beast;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// StartSession serves the accepted connection |stream| from |peer| until it
// closes (Stream: beast::tcp_stream or TlsStream).
template <class Stream>
void StartSession(SharedState& shared, Stream stream, asio::ip::address peer);

extern template void StartSession<beast::tcp_stream>(SharedState&, beast::tcp_stream,
                                                     asio::ip::address);
extern template void StartSession<TlsStream>(SharedState&, TlsStream, asio::ip::address);

}  // namespace tock::server::detail

#endif  // TOCK_SERVER_HTTP_SESSION_H_
