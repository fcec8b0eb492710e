// The books after a fault: what the database holds, checked against what
// the clients were told (the storm's log) and against itself. These are the
// shop's promises about money and stock, whatever happened to its processes.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "storm.h"

namespace umkm::test {

// goods id -> stock before the storm.
using StockBefore = std::map<long long, long long>;

// Runs SQL on the database whose books are checked and returns the rows
// (Stack::sql_rows of the test's stack, or one node of a cluster).
using SqlRows = std::function<std::vector<std::vector<std::string>>(const std::string&)>;

// Boost.Test assertions, one per promise broken (with examples):
// - every add acknowledged with 200 has its line in its cart;
// - every payment acknowledged with 200 is there, for the same total;
// - no goods has negative stock;
// - for each goods, stock now + units in paid carts = stock before;
// - every transaction's total is the sum of its cart's lines;
// - a cart is marked PAID exactly when it has a transaction.
void check_the_books(const StockBefore& before, const std::vector<AcknowledgedAdd>& adds,
                     const std::vector<AcknowledgedPay>& pays, const SqlRows& sql);
// The same on the test's stack.
void check_the_books(const StockBefore& before, const std::vector<AcknowledgedAdd>& adds,
                     const std::vector<AcknowledgedPay>& pays);

// Stock of each goods now.
StockBefore stock_of(const std::vector<StormGoods>& goods, const SqlRows& sql);
StockBefore stock_of(const std::vector<StormGoods>& goods);

}  // namespace umkm::test
