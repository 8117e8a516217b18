-- Attempt bodies can be pruned (app/pipeline/prune-attempt-bodies.server.ts): "request" may be null, and
-- "bodiesPrunedAt" says when.
-- AlterTable
ALTER TABLE "DeliveryAttempt" ALTER COLUMN "request" DROP NOT NULL,
ADD COLUMN     "bodiesPrunedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "DeliveryAttempt_bodiesPrunedAt_startedAt_idx" ON "DeliveryAttempt"("bodiesPrunedAt", "startedAt");
