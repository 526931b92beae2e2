// SPDX-License-Identifier: GPL-2.0-or-later
// vnc_web.cjs - drives hemu's web console in Debian's headless Chromium
// through playwright-core (from $PLAYWRIGHT_DIR/node_modules):
//   node vnc_web.cjs canvas URL   prints {"w","h","rgb"} (base64 RGB) of
//                                 noVNC's canvas once connected
//   node vnc_web.cjs type URL TEXT  types TEXT into the page
// URL may be https:// (a TLS websocket port).
// Exit status 0 on success; errors on stderr.
const path = require('path');
const { chromium } = require(path.join(process.env.PLAYWRIGHT_DIR,
                                       'node_modules', 'playwright-core'));

async function main() {
    const [mode, url, text] = process.argv.slice(2);
    const browser = await chromium.launch({
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu',
               '--disable-background-networking',
               // the tests' https:// console has a certificate of their
               // own throwaway CA
               '--ignore-certificate-errors'],
    });
    try {
        const page = await browser.newPage();
        page.on('pageerror', (e) => console.error('page error: ' + e));
        await page.goto(url);
        await page.waitForFunction(() => window.hemuConnected === true,
                                   null, { timeout: 30000 });
        if (mode === 'canvas') {
            // until the first picture has been drawn
            await page.waitForFunction(() => {
                const c = document.querySelector('#screen canvas');
                return c && c.width > 100 && window.rfb &&
                       window.rfb._display && window.rfb._display.pending() === false;
            }, null, { timeout: 30000 });
            await page.waitForTimeout(1000);
            const r = await page.evaluate(() => {
                const c = document.querySelector('#screen canvas');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let s = '';
                for (let i = 0; i < d.length; i += 4) {
                    s += String.fromCharCode(d[i], d[i + 1], d[i + 2]);
                }
                return { w: c.width, h: c.height, rgb: btoa(s) };
            });
            process.stdout.write(JSON.stringify(r) + '\n');
        } else if (mode === 'type') {
            await page.click('#screen canvas');
            await page.keyboard.type(text, { delay: 30 });
            await page.waitForTimeout(500);
            process.stdout.write('typed\n');
        } else {
            throw new Error('unknown mode ' + mode);
        }
    } finally {
        await browser.close();
    }
}

main().catch((e) => {
    console.error(String(e && e.stack || e));
    process.exit(1);
});
