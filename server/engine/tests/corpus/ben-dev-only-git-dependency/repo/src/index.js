'use strict';

const { request } = require('undici');

async function getPrice(baseUrl, symbol) {
  const { body } = await request(`${baseUrl}/v1/price/${encodeURIComponent(symbol)}`);
  const data = await body.json();
  return Number(data.price);
}

module.exports = { getPrice };
