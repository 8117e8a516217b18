-- The deliveries index filtered by kind (app/admin/deliveries.server.ts): cancellations and refunds, read newest
-- first from the index however few there are (none at all answers at once).
-- CreateIndex
CREATE INDEX "Delivery_shop_kind_createdAt_id_idx" ON "Delivery"("shop", "kind", "createdAt", "id");

-- Accuracy (app/admin/accuracy.server.ts) reads each paid order's conversions from the index alone. It replaces the
-- index on orderId, which shop/redact's cascade still uses (orderId leads).
-- DropIndex
DROP INDEX "Delivery_orderId_idx";

-- CreateIndex
CREATE INDEX "Delivery_orderId_kind_network_status_reason_idx" ON "Delivery"("orderId", "kind", "network", "status", "reason");

-- The window's orders with their id and test flag from the index alone (it replaces the index on shop and paidAt).
-- DropIndex
DROP INDEX "Order_shop_paidAt_idx";

-- CreateIndex
CREATE INDEX "Order_shop_paidAt_test_id_idx" ON "Order"("shop", "paidAt", "test", "id");
