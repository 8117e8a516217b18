// One attempt of a delivery as /app/deliveries/<id> shows it: status, time and duration, the error, and the
// request and response, or, once pruned (app/pipeline/prune-attempt-bodies.server.ts), after how many days.
import { Badge, BlockStack, Box, Card, InlineStack, Text } from "@shopify/polaris";
import type { AttemptView } from "../deliveries.server.ts";
import { when } from "./format.ts";

export function AttemptCard({ attempt, index, retentionDays }: { attempt: AttemptView; index: number; retentionDays: number }) {
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h3" variant="headingSm">
            {`Attempt ${index}`}
          </Text>
          <InlineStack gap="200">
            <Badge tone={attempt.outcome === "success" ? "success" : attempt.outcome === "retry" ? "warning" : "critical"}>
              {attempt.httpStatus === null ? "No answer" : `HTTP ${attempt.httpStatus}`}
            </Badge>
            <Text as="span" tone="subdued">
              {`${when(attempt.startedAt)} · ${attempt.durationMs} ms`}
            </Text>
          </InlineStack>
        </InlineStack>
        {attempt.error && <Text as="p">{attempt.error}</Text>}
        {attempt.bodiesPrunedAt ? (
          <Text as="p" tone="subdued">
            {`Request and response pruned after ${retentionDays} days, on ${when(attempt.bodiesPrunedAt)}: attempts keep them that long, then only the status, time and duration.`}
          </Text>
        ) : (
          <>
            <Text as="h4" variant="headingXs">
              Request (secrets redacted)
            </Text>
            <Box padding="300" background="bg-surface-secondary" borderRadius="200" overflowX="scroll">
              <pre style={{ margin: 0, whiteSpace: "pre-wrap", wordBreak: "break-all" }}>
                <code>{attempt.request ?? "(none)"}</code>
              </pre>
            </Box>
            <Text as="h4" variant="headingXs">
              Response
            </Text>
            <Box padding="300" background="bg-surface-secondary" borderRadius="200">
              <pre style={{ margin: 0, whiteSpace: "pre-wrap", wordBreak: "break-all" }}>
                <code>{attempt.responseExcerpt ?? "(none)"}</code>
              </pre>
            </Box>
          </>
        )}
      </BlockStack>
    </Card>
  );
}
