// SPDX-License-Identifier: GPL-2.0-or-later
// web_pointer.cjs - clicks into hemu's web console (noVNC's canvas) in
// Debian's headless Chromium through playwright-core (from
// $PLAYWRIGHT_DIR/node_modules):
//   node web_pointer.cjs URL X Y [X Y ...]
// moves to and clicks each (X, Y), given in the guest screen's pixels,
// at the page point where the canvas shows that pixel (the canvas may be
// scaled to the page), and prints the canvas size as "W H".
// Exit status 0 on success; errors on stderr.
const path = require('path');
const { chromium } = require(path.join(process.env.PLAYWRIGHT_DIR,
                                       'node_modules', 'playwright-core'));

async function main() {
    const [url, ...pts] = process.argv.slice(2);
    const browser = await chromium.launch({
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu',
               '--disable-background-networking'],
    });
    try {
        const page = await browser.newPage();
        page.on('pageerror', (e) => console.error('page error: ' + e));
        await page.goto(url);
        await page.waitForFunction(() => window.hemuConnected === true,
                                   null, { timeout: 60000 });
        await page.waitForFunction(() => {
            const c = document.querySelector('#screen canvas');
            return c && c.width > 100;
        }, null, { timeout: 60000 });
        const c = await page.$('#screen canvas');
        const size = await c.evaluate((e) => [e.width, e.height]);
        for (let i = 0; i + 1 < pts.length; i += 2) {
            // The box is read each time: the page may lay out again.
            const box = await c.boundingBox();
            const x = box.x + (Number(pts[i]) + 0.5) * box.width / size[0];
            const y = box.y + (Number(pts[i + 1]) + 0.5) * box.height / size[1];
            await page.mouse.move(x, y);
            await page.mouse.down();
            await page.mouse.up();
            await page.waitForTimeout(300);
        }
        process.stdout.write(size[0] + ' ' + size[1] + '\n');
    } finally {
        await browser.close();
    }
}

main().catch((e) => {
    console.error(String(e && e.stack || e));
    process.exit(1);
});
