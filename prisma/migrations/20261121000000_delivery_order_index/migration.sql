-- CreateIndex
CREATE INDEX "Delivery_orderId_idx" ON "Delivery"("orderId");
