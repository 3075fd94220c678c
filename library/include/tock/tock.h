// Umbrella header: the whole public API of the tock library (the JWT core).
#ifndef TOCK_TOCK_H_
#define TOCK_TOCK_H_

#include "tock/algorithm.h"
#include "tock/check_trace.h"
#include "tock/clock.h"
#include "tock/corrected_clock.h"
#include "tock/defaults.h"
#include "tock/error.h"
#include "tock/http_transport.h"
#include "tock/inspect.h"
#include "tock/jwk_set.h"
#include "tock/jwks_cache.h"
#include "tock/key.h"
#include "tock/key_loader.h"
#include "tock/key_resolver.h"
#include "tock/key_wrap.h"
#include "tock/limits.h"
#include "tock/replay_store.h"
#include "tock/result.h"
#include "tock/secret_hash.h"
#include "tock/sntp.h"
#include "tock/token_builder.h"
#include "tock/token_source.h"
#include "tock/validator.h"
#include "tock/verified_token.h"
#include "tock/verifier.h"

#endif  // TOCK_TOCK_H_
