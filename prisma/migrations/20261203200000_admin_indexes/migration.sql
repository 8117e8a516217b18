-- CreateIndex
CREATE INDEX "Order_shop_name_idx" ON "Order"("shop", "name");

-- CreateIndex
CREATE INDEX "Order_shop_paidAt_idx" ON "Order"("shop", "paidAt");

-- CreateIndex
CREATE INDEX "Delivery_shop_createdAt_id_idx" ON "Delivery"("shop", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Delivery_shop_network_createdAt_id_idx" ON "Delivery"("shop", "network", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Delivery_shop_status_createdAt_id_idx" ON "Delivery"("shop", "status", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Delivery_shop_completedAt_idx" ON "Delivery"("shop", "completedAt");
