// EC2's XML response shapes: nested objects become elements, arrays become `<item>` lists.

/** A value the serializer turns into EC2 XML (undefined and null members are left out). */
export type XmlValue = string | number | boolean | null | undefined | XmlValue[] | { [key: string]: XmlValue };

/** Escapes text for an XML element body. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The XML body of one value (no enclosing element). */
export function toXml(value: XmlValue): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => `<item>${toXml(v)}</item>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => `<${k}>${toXml(v)}</${k}>`).join('');
  }
  return escapeXml(String(value));
}

/** A successful EC2 response document: `<{Action}Response xmlns=...><requestId/>...`. */
export function responseXml(action: string, requestId: string, body: { [key: string]: XmlValue }): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${requestId}</requestId>${toXml(body)}</${action}Response>`;
}

/** An EC2 error document. */
export function errorXml(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
}
