/** `serve --smtp-url`: the URL as nodemailer's options, and the URLs refused with the option named. */
import { describe, expect, it } from 'vitest';
import { smtpOptionsOf } from '../../src/cli/commands/serve.js';

describe('--smtp-url', () => {
  it('reads host, port, TLS and credentials', () => {
    expect(smtpOptionsOf('smtp://alerts%40example.com:p%3Ass@mail.example.com', 'a@example.com')).toEqual({
      host: 'mail.example.com',
      port: 587,
      secure: false,
      user: 'alerts@example.com',
      password: 'p:ss',
      from: 'a@example.com',
    });
    expect(smtpOptionsOf('smtps://mail.example.com', 'a@example.com')).toMatchObject({ port: 465, secure: true });
  });

  it('gives an IPv6 host without its brackets', () => {
    expect(smtpOptionsOf('smtp://[::1]:2525', 'a@example.com')).toMatchObject({ host: '::1', port: 2525 });
  });

  it('refuses what is not an SMTP URL with a host', () => {
    expect(() => smtpOptionsOf('mail.example.com', 'a@example.com')).toThrow(/--smtp-url/);
    expect(() => smtpOptionsOf('http://mail.example.com', 'a@example.com')).toThrow(/smtp:\/\/ or smtps:\/\//);
    expect(() => smtpOptionsOf('smtp://', 'a@example.com')).toThrow(/names no host/);
  });
});
