/**
 * The public routes of the altcha captcha: a fresh challenge for the widget, and the widget's
 * own files. Other captchas load their vendor's script and need no route here.
 */
import type { FastifyInstance } from 'fastify';
import type { Captcha } from '../../captcha/captcha.js';
import { loadAltchaAssets } from '../../captcha/widget-assets.js';

export const CHALLENGE_PATH = '/ui/captcha/challenge';

// A week: the files change only with the altcha package; the ETag makes revalidation cheap.
const ASSET_CACHE = 'public, max-age=604800';

export async function captchaRoutes(app: FastifyInstance, captcha: Captcha): Promise<void> {
  if (captcha.widget().kind !== 'altcha') return;

  app.get(CHALLENGE_PATH, async (_request, reply) => {
    const challenge = await captcha.challenge();
    // Each challenge is good once: no cache may hand the same one to two people.
    return reply.header('Cache-Control', 'no-store').type('application/json; charset=utf-8').send(challenge);
  });

  for (const [path, asset] of loadAltchaAssets()) {
    app.get(path, async (request, reply) => {
      reply.header('Cache-Control', ASSET_CACHE).header('ETag', asset.etag);
      if (request.headers['if-none-match'] === asset.etag) return reply.status(304).send();
      return reply.type(asset.type).send(asset.body);
    });
  }
}
