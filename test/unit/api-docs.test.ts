import { describe, expect, it } from 'vitest';
import { apiDocsPage, apiDocsSecurityPolicy, docsAssetsBase } from '../../shared/http/api-docs.js';

describe('API reference page', () => {
  it('loads every asset from the distribution when the assets live there', () => {
    // Act
    const html = apiDocsPage('https://d111111abcdef8.cloudfront.net/docs-assets/');

    // Assess
    expect(html).toContain('<script src="https://d111111abcdef8.cloudfront.net/docs-assets/swagger-ui-bundle.js"></script>');
    expect(html).toContain('href="https://d111111abcdef8.cloudfront.net/docs-assets/swagger-ui.css"');
    expect(html).toContain('data-openapi-url="/v1/openapi.json"');
  });

  it('allows scripts from that base only, and the API itself for requests', () => {
    // Act
    const policy = apiDocsSecurityPolicy('https://d111111abcdef8.cloudfront.net/docs-assets/');

    // Assess
    expect(policy).toContain('script-src https://d111111abcdef8.cloudfront.net/docs-assets/;');
    expect(policy).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
    expect(policy).toContain("connect-src 'self'");
  });

  it('reads the base from DOCS_ASSETS_BASE, adds the trailing slash and refuses anything but https or a path', () => {
    // Assess
    expect(docsAssetsBase({})).toBe('/docs-assets/');
    expect(docsAssetsBase({ DOCS_ASSETS_BASE: 'https://d1.cloudfront.net/docs-assets' })).toBe('https://d1.cloudfront.net/docs-assets/');
    expect(() => docsAssetsBase({ DOCS_ASSETS_BASE: 'http://d1.cloudfront.net/' })).toThrow(/DOCS_ASSETS_BASE/);
    expect(() => docsAssetsBase({ DOCS_ASSETS_BASE: "https://x/'; script-src *" })).toThrow(/DOCS_ASSETS_BASE/);
  });
});
