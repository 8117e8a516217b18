// The live theme's settings file, for the admin's app embed check (app/admin/app-embed.server.ts).

export const MAIN_THEME_SETTINGS_QUERY = `#graphql
  query AffiliateRelayMainThemeSettings {
    themes(first: 1, roles: [MAIN]) {
      nodes {
        id
        name
        files(filenames: ["config/settings_data.json"], first: 1) {
          nodes {
            filename
            body {
              ... on OnlineStoreThemeFileBodyText { content }
              ... on OnlineStoreThemeFileBodyBase64 { contentBase64 }
            }
          }
        }
      }
    }
  }`;
