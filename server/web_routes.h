// The decoder page's routes: GET / and each embedded file of web/
// (web/embed/web_page.h holds only the bytes).
#ifndef TOCK_SERVER_WEB_ROUTES_H_
#define TOCK_SERVER_WEB_ROUTES_H_

#include "http/router.h"
#include "web_page.h"

namespace tock::server {

// ServeWebAsset answers |req| with |asset|: its type, a strict
// Content-Security-Policy, nosniff, ETag with no-cache, 304 on If-None-Match.
Response ServeWebAsset(const web::WebAsset& asset, const Request& req);

// AddWebRoutes routes GET / to index.html and GET /NAME to each file.
void AddWebRoutes(Router& router);

}  // namespace tock::server

#endif  // TOCK_SERVER_WEB_ROUTES_H_
