// The XML body of CreateControlChannel / CreateDataChannel: TokenValue under any root element,
// as Go's encoding/xml reads it in AWS's agent; everything else refused with ResponseInvalid.

import { describe, expect, it } from 'vitest';
import { parseTokenValue } from '../src/index.js';

describe('parseTokenValue', () => {
  it.each([
    [
      '<CreateControlChannelResponse><MessageSchemaVersion>1.0</MessageSchemaVersion><TokenValue>abc</TokenValue></CreateControlChannelResponse>',
      'abc',
    ],
    [
      '<?xml version="1.0" encoding="UTF-8"?>\n<AnyRoot xmlns="urn:x"><TokenValue>\n  tok/+=  \n</TokenValue></AnyRoot>\n',
      'tok/+=',
    ],
    [
      '<r><MessageSchemaVersion>1.0</MessageSchemaVersion><TokenValue>a&amp;b&lt;&#65;&#x42;</TokenValue></r>',
      'a&b<AB',
    ],
    ['<r><TokenValue><![CDATA[x<y>]]>z</TokenValue></r>', 'x<y>z'],
    ['<ns:r xmlns:ns="u"><ns:TokenValue>t</ns:TokenValue></ns:r>', 't'],
  ])('reads %s', (xml, token) => {
    expect(parseTokenValue(xml)).toBe(token);
  });

  it.each([
    ['{"TokenValue":"abc"}', /one root element/],
    ['', /one root element/],
    ['<r><MessageSchemaVersion>1.0</MessageSchemaVersion></r>', /no TokenValue/],
    ['<r><TokenValue>  </TokenValue></r>', /empty/],
    ['<r><TokenValue>a</TokenValue><TokenValue>b</TokenValue></r>', /more than one/],
    ['<r><TokenValue>a<b/></TokenValue></r>', /markup/],
    ['<r><TokenValue>&bogus;</TokenValue></r>', /unknown entity/],
    ['<r><TokenValue>&#0;</TokenValue></r>', /character reference/],
    ['<r><TokenValue><![CDATA[open</TokenValue></r>', /CDATA/],
    ['<a><TokenValue>t</TokenValue></b>', /one root element/],
    [`<r><TokenValue>${'x'.repeat(9000)}</TokenValue></r>`, /too long/],
  ])('refuses %s', (xml, message) => {
    let thrown: unknown;
    try {
      parseTokenValue(xml);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({
      code: 'ResponseInvalid',
      message: expect.stringMatching(message) as string,
    });
  });
});
