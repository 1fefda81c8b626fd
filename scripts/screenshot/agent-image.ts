/** The agent's attachment in the chat screenshots: a small "map", drawn in the page. */
import type { Page } from 'playwright-core';

export async function agentSendsMap(page: Page): Promise<void> {
  await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 240;
    canvas.height = 150;
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#dbe7f5';
    g.fillRect(0, 0, 240, 150);
    g.strokeStyle = '#0a58ca';
    g.lineWidth = 6;
    g.beginPath();
    g.moveTo(20, 120);
    g.bezierCurveTo(80, 20, 150, 140, 220, 30);
    g.stroke();
    g.fillStyle = '#b42318';
    g.beginPath();
    g.arc(220, 30, 10, 0, Math.PI * 2);
    g.fill();
    window.fakeChat.agentSendsImage('tracking.png', canvas.toDataURL('image/png'));
  });
}
