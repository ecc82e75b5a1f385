import { chromium } from '@playwright/test';
const [url, out, text, wait, width] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu','--disable-background-networking','--disable-component-update','--disable-sync'] });
const page = await browser.newPage({ viewport: { width: Number(width || 1100), height: 800 }, colorScheme: process.env.SCHEME || 'light' });
page.on('console', m => console.log('console:', m.text()));
await page.goto(url);
if (text) { await page.getByRole('textbox', { name: 'Message' }).fill(text); await page.keyboard.press('Enter'); }
await page.waitForTimeout(Number(wait || 500));
await page.screenshot({ path: out });
console.log(await page.locator('[data-role]').evaluateAll(els => els.map(e => e.dataset.role + ':' + (e.dataset.status||'') + ':' + e.textContent.slice(0, 80))));
await browser.close();
