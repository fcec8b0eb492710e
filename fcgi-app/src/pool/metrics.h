// The pool's metrics in Prometheus's text format (exposition format 0.0.4),
// served at GET /api/small/metrics (a route of controller::App, which the
// worker hands this text) by whichever worker takes the request, from the
// shared scoreboard: no database query, so a scrape works while
// MariaDB is down. nginx lets only the box itself ask (a Prometheus node
// exporter's textfile or a local scraper); the numbers say how busy the
// shop is, which is nobody else's business.
#pragma once

#include <string>

#include "config/config.h"
#include "pool/scoreboard.h"

namespace umkm::pool {

std::string prometheus_text(const Scoreboard& board, const PoolConfig& pool);

}  // namespace umkm::pool
