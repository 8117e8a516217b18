-- Settled days' accuracy figures (app/admin/accuracy-days.server.ts), read by the accuracy page instead of
-- counting those days' orders again.
-- CreateTable
CREATE TABLE "AccuracyDay" (
    "shop" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "figures" TEXT,
    "invalidatedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AccuracyDay_pkey" PRIMARY KEY ("shop","day")
);
