-- Settled days' accuracy figures (app/admin/accuracy-days.server.ts), read by the accuracy page instead of
-- counting those days' orders again.
-- CreateTable
CREATE TABLE "AccuracyDay" (
    "shop" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "figures" TEXT,
    "invalidatedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "day")
);
