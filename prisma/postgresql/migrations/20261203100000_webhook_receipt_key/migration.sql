-- DropIndex
DROP INDEX "WebhookReceipt_shop_idx";

-- AlterTable
ALTER TABLE "WebhookReceipt" DROP CONSTRAINT "WebhookReceipt_pkey",
ADD CONSTRAINT "WebhookReceipt_pkey" PRIMARY KEY ("shop", "topic", "eventId");

-- CreateIndex
CREATE INDEX "WebhookReceipt_receivedAt_idx" ON "WebhookReceipt"("receivedAt");

