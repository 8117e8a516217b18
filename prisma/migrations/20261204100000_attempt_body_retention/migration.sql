-- Attempt bodies can be pruned (app/pipeline/prune-attempt-bodies.server.ts): "request" may be null, and
-- "bodiesPrunedAt" says when. SQLite cannot drop a NOT NULL, so the table is rebuilt the way Prisma does it,
-- with every index DeliveryAttempt has at this point.
-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_DeliveryAttempt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "deliveryId" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "durationMs" INTEGER NOT NULL,
    "request" TEXT,
    "httpStatus" INTEGER,
    "outcome" TEXT NOT NULL,
    "responseExcerpt" TEXT,
    "error" TEXT,
    "bodiesPrunedAt" DATETIME,
    CONSTRAINT "DeliveryAttempt_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "Delivery" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_DeliveryAttempt" ("deliveryId", "durationMs", "error", "httpStatus", "id", "outcome", "request", "responseExcerpt", "shop", "startedAt") SELECT "deliveryId", "durationMs", "error", "httpStatus", "id", "outcome", "request", "responseExcerpt", "shop", "startedAt" FROM "DeliveryAttempt";
DROP TABLE "DeliveryAttempt";
ALTER TABLE "new_DeliveryAttempt" RENAME TO "DeliveryAttempt";
CREATE INDEX "DeliveryAttempt_deliveryId_idx" ON "DeliveryAttempt"("deliveryId");
CREATE INDEX "DeliveryAttempt_shop_startedAt_idx" ON "DeliveryAttempt"("shop", "startedAt");
CREATE INDEX "DeliveryAttempt_bodiesPrunedAt_startedAt_idx" ON "DeliveryAttempt"("bodiesPrunedAt", "startedAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
