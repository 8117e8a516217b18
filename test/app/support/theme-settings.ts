// config/settings_data.json as Shopify writes it for a theme (Dawn's shape): the generated comment first, then
// `current` with the theme's settings and the app embeds under `blocks`. Three states of this app's embed.
const HEADER = `/*
 * ------------------------------------------------------------
 * IMPORTANT: The contents of this file are auto-generated.
 *
 * This file may be updated by the Shopify admin theme editor
 * or related systems. Please exercise caution as any changes
 * made to this file may be overwritten.
 * ------------------------------------------------------------
 */
`;

const otherApps = {
  "3164874339577853718": {
    type: "shopify://apps/judge-me-reviews/blocks/judgeme_core/61ccd3b1-a9f2-4160-9fe9-4fec8413e5d8",
    disabled: false,
    settings: {},
  },
  // Another app whose embed block has the same file name: never mistaken for ours.
  "9012345678901234567": {
    type: "shopify://apps/some-other-app/blocks/app-embed/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
    disabled: false,
    settings: {},
  },
};

const ours = (disabled: boolean) => ({
  "17463816218723493212": {
    type: "shopify://apps/affiliate-relay/blocks/app-embed/8a6f1c52-3e0d-4d8b-9f7a-2c4b6e8d0f13",
    disabled,
    settings: {},
  },
});

function settingsData(blocks: Record<string, unknown>): string {
  const current = {
    logo_width: 90,
    colors_solid_button_labels: "#ffffff",
    type_header_font: "assistant_n4",
    sections: { header: { type: "header", settings: { logo_position: "middle-left" } } },
    content_for_index: [],
    blocks,
  };
  return HEADER + JSON.stringify({ current, presets: { Default: { logo_width: 90 } } }, null, 2);
}

export const THEME_SETTINGS = {
  /** Never switched on: the block is not in the file at all. */
  embedAbsent: settingsData(otherApps),
  /** Switched on once, then off again in the theme editor. */
  embedDisabled: settingsData({ ...otherApps, ...ours(true) }),
  embedEnabled: settingsData({ ...otherApps, ...ours(false) }),
  /** Older themes name a preset as `current`; the embed is then in that preset's blocks. */
  presetCurrentEnabled:
    HEADER + JSON.stringify({ current: "Default", presets: { Default: { logo_width: 90, blocks: { ...otherApps, ...ours(false) } } } }, null, 2),
};
