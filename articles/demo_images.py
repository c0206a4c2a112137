"""Illustrations for the demo articles, drawn with Pillow: flat, poster-like scenes.

Nothing is downloaded; each picture is drawn from shapes with a fixed random seed, so the
same article always gets the same picture.
"""

import math
import random
from io import BytesIO

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1600, 1066


def _gradient(top, bottom, size=(WIDTH, HEIGHT)):
    """A vertical gradient from colour `top` to `bottom`."""
    column = Image.new("RGB", (1, 256))
    for y in range(256):
        t = y / 255
        column.putpixel(
            (0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    return column.resize(size, Image.BILINEAR)


def _canvas(top, bottom):
    image = _gradient(top, bottom)
    return image, ImageDraw.Draw(image)


def delta(rng):
    image, draw = _canvas((214, 196, 150), (168, 160, 104))
    for _ in range(60):  # fields
        x, y = rng.randrange(-100, WIDTH), rng.randrange(-100, HEIGHT)
        w, h = rng.randrange(120, 380), rng.randrange(80, 260)
        shade = rng.choice([(120, 146, 82), (150, 168, 96), (186, 176, 112), (98, 128, 74)])
        draw.polygon([(x, y), (x + w, y + 20), (x + w - 30, y + h), (x - 10, y + h - 15)], shade)

    def river(x, y, angle, width, depth):
        for _ in range(28):
            nx = x + math.cos(angle) * 40
            ny = y + math.sin(angle) * 40
            draw.line([(x, y), (nx, ny)], fill=(58, 110, 150), width=int(width))
            draw.ellipse([nx - width / 2, ny - width / 2, nx + width / 2, ny + width / 2],
                         fill=(58, 110, 150))  # fmt: skip
            x, y, angle = nx, ny, angle + rng.uniform(-0.15, 0.15)
            if depth < 3 and rng.random() < 0.1:
                river(x, y, angle + rng.choice([-0.6, 0.6]), width * 0.6, depth + 1)
            if y > HEIGHT + 50:
                break

    river(WIDTH * 0.5, -40, math.pi / 2, 90, 0)
    draw.rectangle([0, HEIGHT - 140, WIDTH, HEIGHT], fill=(70, 120, 160))
    for _ in range(9):  # towns
        cx, cy = rng.randrange(100, WIDTH - 100), rng.randrange(100, HEIGHT - 220)
        for _ in range(7):
            bx, by = cx + rng.randrange(-50, 50), cy + rng.randrange(-40, 40)
            draw.rectangle([bx, by, bx + 16, by + 12], fill=(232, 226, 214))
    return image


def night_train(rng):
    image, draw = _canvas((12, 20, 52), (58, 56, 104))
    for _ in range(260):
        x, y, r = rng.randrange(WIDTH), rng.randrange(HEIGHT // 2), rng.choice([1, 1, 2, 3])
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(240, 236, 210))
    draw.ellipse([1220, 120, 1360, 260], fill=(246, 236, 200))
    draw.polygon([(0, 720), (300, 560), (620, 700), (980, 520), (1300, 680), (1600, 600),
                  (1600, 1066), (0, 1066)], fill=(28, 34, 62))  # fmt: skip
    draw.rectangle([0, 770, WIDTH, 800], fill=(20, 24, 44))
    for x in range(40, WIDTH, 140):  # viaduct arches
        draw.rectangle([x, 800, x + 24, 1066], fill=(20, 24, 44))
    for car in range(5):
        x0 = 180 + car * 260
        draw.rounded_rectangle([x0, 680, x0 + 245, 770], radius=18, fill=(36, 66, 110))
        for w in range(5):
            wx = x0 + 18 + w * 45
            draw.rectangle([wx, 700, wx + 30, 730], fill=(255, 214, 120))
    return image


def bakery(rng):
    image, draw = _canvas((244, 226, 196), (222, 196, 160))
    draw.rectangle([0, 620, WIDTH, HEIGHT], fill=(150, 100, 62))
    for y in range(640, HEIGHT, 36):
        draw.line([(0, y), (WIDTH, y + rng.randrange(-6, 6))], fill=(132, 86, 52), width=3)
    for i in range(7):
        cx = 160 + i * 215 + rng.randrange(-20, 20)
        cy = 640 + rng.randrange(-30, 40)
        w, h = rng.randrange(180, 240), rng.randrange(100, 140)
        draw.ellipse([cx - w / 2, cy - h / 2 + 10, cx + w / 2, cy + h / 2 + 10], fill=(110, 64, 30))
        draw.ellipse([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], fill=(196, 132, 66))
        for s in range(3):
            sx = cx - w / 4 + s * w / 4
            draw.arc([sx - 30, cy - 30, sx + 30, cy + 10], 200, 340, fill=(240, 206, 150), width=6)
    for _ in range(300):  # flour
        x, y = rng.randrange(WIDTH), rng.randrange(560, HEIGHT)
        draw.ellipse([x, y, x + 3, y + 3], fill=(250, 244, 232))
    draw.rectangle([120, 120, 620, 420], fill=(252, 246, 234), outline=(120, 80, 40), width=6)
    for row in range(4):
        draw.rectangle([160, 170 + row * 60, 160 + rng.randrange(260, 420), 190 + row * 60],
                       fill=(196, 160, 120))  # fmt: skip
    return image


def seabirds(rng):
    image, draw = _canvas((196, 220, 232), (236, 240, 236))
    draw.rectangle([0, 700, WIDTH, HEIGHT], fill=(52, 100, 128))
    for y in range(720, HEIGHT, 28):
        for x in range(rng.randrange(-60, 0), WIDTH, 120):
            draw.arc([x, y, x + 60, y + 16], 200, 340, fill=(120, 166, 186), width=3)
    draw.polygon([(900, 1066), (980, 380), (1120, 300), (1280, 340), (1400, 260), (1600, 300),
                  (1600, 1066)], fill=(92, 84, 76))  # fmt: skip
    for y in range(400, 1000, 34):  # ledges
        draw.line([(990, y), (1600, y - 20)], fill=(238, 234, 226), width=4)
    for _ in range(70):
        x, y, s = rng.randrange(40, 1550), rng.randrange(60, 620), rng.randrange(14, 40)
        draw.line([(x - s, y - s / 3), (x, y), (x + s, y - s / 3)], fill=(34, 38, 44), width=4)
    return image


def library(rng):
    image, draw = _canvas((78, 48, 36), (58, 36, 28))
    spines = [(156, 40, 40), (32, 84, 120), (214, 170, 64), (48, 110, 76), (220, 214, 196),
              (110, 60, 110), (196, 110, 60), (40, 48, 60)]  # fmt: skip
    for shelf in range(4):
        base = 240 + shelf * 260
        draw.rectangle([0, base, WIDTH, base + 22], fill=(120, 78, 50))
        x = 30
        while x < WIDTH - 40:
            w, h = rng.randrange(26, 60), rng.randrange(150, 220)
            if rng.random() < 0.05:
                x += 60
                continue
            draw.rectangle([x, base - h, x + w, base], fill=rng.choice(spines))
            draw.rectangle([x + 6, base - h + 20, x + w - 6, base - h + 30], fill=(236, 220, 160))
            x += w + 3
    lamp = Image.new("L", image.size, 0)
    ImageDraw.Draw(lamp).ellipse([500, -300, 1300, 500], fill=90)
    lamp = lamp.filter(ImageFilter.GaussianBlur(120))
    return Image.composite(Image.new("RGB", image.size, (255, 226, 160)), image, lamp)


def lighthouse(rng):
    image, draw = _canvas((34, 52, 84), (224, 150, 110))
    draw.polygon([(760, 300), (1600, 40), (1600, 420)], fill=(250, 226, 170))
    draw.rectangle([0, 760, WIDTH, HEIGHT], fill=(30, 46, 70))
    for y in range(780, HEIGHT, 26):
        draw.line([(rng.randrange(0, 400), y), (rng.randrange(900, 1600), y)],
                  fill=(70, 92, 120), width=2)  # fmt: skip
    draw.polygon([(420, 800), (560, 700), (900, 690), (1080, 800)], fill=(26, 30, 36))
    draw.polygon([(690, 700), (710, 340), (790, 340), (810, 700)], fill=(238, 236, 230))
    for band in (420, 540, 640):
        draw.polygon([(706, band), (794, band), (797, band + 40), (703, band + 40)],
                     fill=(176, 40, 40))  # fmt: skip
    draw.rectangle([700, 280, 800, 340], fill=(255, 236, 170))
    draw.polygon([(690, 280), (750, 220), (810, 280)], fill=(30, 30, 34))
    return image


def wind_farm(rng):
    image, draw = _canvas((246, 204, 160), (170, 200, 220))
    draw.ellipse([160, 420, 420, 680], fill=(252, 232, 190))
    draw.rectangle([0, 700, WIDTH, HEIGHT], fill=(64, 110, 140))
    for x, scale in [(520, 1.0), (820, 0.8), (1080, 0.65), (1300, 0.5), (1470, 0.4)]:
        top = 700 - 520 * scale
        draw.polygon([(x - 8 * scale, 700), (x - 4 * scale, top), (x + 4 * scale, top),
                      (x + 8 * scale, 700)], fill=(245, 245, 245))  # fmt: skip
        start = rng.uniform(0, 2 * math.pi)
        for b in range(3):
            a = start + b * 2 * math.pi / 3
            tip = (x + math.cos(a) * 230 * scale, top + math.sin(a) * 230 * scale)
            side = (x + math.cos(a + 0.08) * 60 * scale, top + math.sin(a + 0.08) * 60 * scale)
            draw.polygon([(x, top), side, tip], fill=(250, 250, 250))
        draw.ellipse([x - 10 * scale, top - 10 * scale, x + 10 * scale, top + 10 * scale],
                     fill=(210, 210, 210))  # fmt: skip
    for y in range(720, HEIGHT, 30):
        draw.line([(0, y), (WIDTH, y)], fill=(90, 136, 164), width=2)
    return image


def groceries(rng):
    image, draw = _canvas((238, 232, 214), (226, 218, 196))
    produce = [(214, 60, 44), (240, 160, 40), (98, 150, 60), (140, 60, 110), (236, 210, 80)]
    for row in range(3):
        for col in range(4):
            x0, y0 = 80 + col * 380, 100 + row * 320
            draw.rectangle([x0, y0 + 120, x0 + 340, y0 + 290], fill=(176, 132, 84))
            for slat in range(3):
                draw.line([(x0, y0 + 170 + slat * 45), (x0 + 340, y0 + 170 + slat * 45)],
                          fill=(140, 100, 60), width=5)  # fmt: skip
            colour = rng.choice(produce)
            for _ in range(16):
                cx, cy = x0 + rng.randrange(30, 310), y0 + rng.randrange(70, 140)
                r = rng.randrange(26, 40)
                draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
                draw.ellipse([cx - r / 3, cy - r / 1.6, cx, cy - r / 3], fill=(255, 255, 255))
    return image


def ice_lake(rng):
    image, draw = _canvas((204, 222, 236), (240, 246, 250))
    for x in range(-40, WIDTH, 70):  # far shore of pines
        h = rng.randrange(140, 260)
        draw.polygon([(x, 520), (x + 35, 520 - h), (x + 70, 520)], fill=(40, 70, 66))
    draw.rectangle([0, 520, WIDTH, HEIGHT], fill=(214, 230, 240))
    for _ in range(14):  # cracks
        x, y = rng.randrange(WIDTH), rng.randrange(540, HEIGHT)
        points = [(x, y)]
        for _ in range(6):
            x += rng.randrange(-120, 120)
            y += rng.randrange(-30, 40)
            points.append((x, y))
        draw.line(points, fill=(150, 184, 208), width=3)
    for i in range(6):  # a line of children's measuring flags
        x = 300 + i * 190
        draw.line([(x, 760), (x, 620)], fill=(60, 60, 60), width=6)
        draw.polygon([(x, 620), (x + 70, 645), (x, 670)], fill=(214, 60, 44))
    return image


def comet(rng):
    image, draw = _canvas((6, 10, 30), (40, 30, 70))
    for _ in range(500):
        x, y, r = rng.randrange(WIDTH), rng.randrange(HEIGHT), rng.choice([1, 1, 1, 2])
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(220, 224, 255))
    tail = Image.new("L", image.size, 0)
    ImageDraw.Draw(tail).polygon([(1100, 260), (260, 60), (240, 160)], fill=200)
    tail = tail.filter(ImageFilter.GaussianBlur(30))
    image = Image.composite(Image.new("RGB", image.size, (190, 230, 255)), image, tail)
    draw = ImageDraw.Draw(image)
    draw.ellipse([1080, 240, 1124, 284], fill=(250, 252, 255))
    draw.polygon([(0, 1066), (0, 820), (260, 640), (480, 780), (760, 580), (1040, 760),
                  (1300, 620), (1600, 800), (1600, 1066)], fill=(16, 18, 28))  # fmt: skip
    return image


def transit_map(rng):
    image, draw = _canvas((250, 248, 242), (250, 248, 242))
    for x in range(0, WIDTH, 80):
        draw.line([(x, 0), (x, HEIGHT)], fill=(232, 230, 222), width=2)
    for y in range(0, HEIGHT, 80):
        draw.line([(0, y), (WIDTH, y)], fill=(232, 230, 222), width=2)
    lines = [(214, 60, 44), (32, 100, 170), (60, 150, 80), (240, 170, 30), (120, 60, 140)]
    for colour in lines:
        x, y = rng.randrange(0, 400), rng.randrange(100, 960)
        points = [(x, y)]
        while x < WIDTH:
            step = rng.choice([(160, 0), (160, 0), (120, 120), (120, -120), (0, 160)])
            x, y = x + step[0], min(max(y + step[1], 80), HEIGHT - 80)
            points.append((x, y))
        draw.line(points, fill=colour, width=22, joint="curve")
        for px, py in points[1:-1:2]:
            draw.ellipse([px - 18, py - 18, px + 18, py + 18], fill=(255, 255, 255),
                         outline=(30, 30, 30), width=6)  # fmt: skip
    return image


def old_town(rng):
    image, draw = _canvas((180, 214, 236), (226, 236, 240))
    colours = [(222, 112, 84), (240, 196, 96), (120, 170, 150), (236, 222, 200), (160, 120, 160)]
    x = -20
    while x < WIDTH:
        w, h = rng.randrange(140, 220), rng.randrange(380, 620)
        top = 860 - h
        draw.rectangle([x, top, x + w, 860], fill=rng.choice(colours))
        draw.polygon([(x, top), (x + w / 2, top - rng.randrange(50, 110)), (x + w, top)],
                     fill=(120, 60, 50))  # fmt: skip
        for wy in range(top + 40, 780, 90):
            for wx in range(x + 25, x + w - 40, 60):
                draw.rectangle([wx, wy, wx + 30, wy + 48], fill=(60, 70, 90))
        x += w
    draw.rectangle([0, 860, WIDTH, HEIGHT], fill=(170, 160, 150))
    for _ in range(40):  # cobbles
        cx, cy = rng.randrange(WIDTH), rng.randrange(880, HEIGHT)
        draw.ellipse([cx, cy, cx + 40, cy + 18], outline=(140, 130, 120), width=3)
    for i in range(4):  # bicycles
        bx = 220 + i * 330
        for wheel in (0, 110):
            draw.ellipse([bx + wheel, 920, bx + wheel + 80, 1000], outline=(30, 30, 30), width=7)
        draw.line([(bx + 40, 960), (bx + 95, 920), (bx + 150, 960)], fill=(200, 40, 40), width=7)
    return image


def brass_band(rng):
    image, draw = _canvas((60, 22, 30), (120, 40, 44))
    cx, cy = 800, 560
    for r in range(760, 40, -46):  # sound rings
        shade = 150 + (r // 46) % 2 * 40
        draw.ellipse(
            [cx - r, cy - r * 0.7, cx + r, cy + r * 0.7], outline=(shade, 110, 60), width=8
        )
    draw.ellipse([cx - 170, cy - 170, cx + 170, cy + 170], fill=(216, 170, 72))
    draw.ellipse([cx - 120, cy - 120, cx + 120, cy + 120], fill=(176, 124, 40))
    draw.ellipse([cx - 60, cy - 60, cx + 60, cy + 60], fill=(90, 50, 20))
    for _ in range(18):  # notes
        x, y = rng.randrange(80, 1500), rng.randrange(60, 1000)
        if abs(x - cx) < 260 and abs(y - cy) < 240:
            continue
        draw.ellipse([x, y, x + 34, y + 26], fill=(246, 226, 170))
        draw.line([(x + 32, y + 12), (x + 32, y - 60)], fill=(246, 226, 170), width=5)
    return image


DRAWINGS = {
    "delta": delta,
    "night_train": night_train,
    "bakery": bakery,
    "seabirds": seabirds,
    "library": library,
    "lighthouse": lighthouse,
    "wind_farm": wind_farm,
    "groceries": groceries,
    "ice_lake": ice_lake,
    "comet": comet,
    "transit_map": transit_map,
    "old_town": old_town,
    "brass_band": brass_band,
}


def draw(name):
    """The illustration `name` as JPEG bytes."""
    image = DRAWINGS[name](random.Random(name))
    buffer = BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=88, optimize=True)
    return buffer.getvalue()


def portrait(name, size=480):
    """A flat, poster-like head-and-shoulders drawing for an author's photo, as JPEG bytes
    (square; the same `name` always gives the same picture)."""
    rng = random.Random(f"portrait:{name}")
    backgrounds = [(52, 92, 125), (120, 72, 90), (70, 110, 80), (150, 110, 60), (90, 80, 140)]
    skins = [(236, 200, 170), (198, 150, 110), (150, 100, 70), (110, 72, 50), (224, 178, 140)]
    hair = [(40, 30, 25), (110, 70, 40), (200, 170, 110), (70, 70, 70), (20, 20, 20)]
    top = rng.choice(backgrounds)
    image = _gradient(top, tuple(max(0, c - 40) for c in top), size=(size, size))
    draw = ImageDraw.Draw(image)
    s = size / 480
    shirt = tuple(rng.randrange(40, 220) for _ in range(3))
    draw.ellipse([90 * s, 330 * s, 390 * s, 600 * s], fill=shirt)  # shoulders
    skin = rng.choice(skins)
    draw.rectangle([205 * s, 280 * s, 275 * s, 350 * s], fill=skin)  # neck
    colour = rng.choice(hair)
    draw.ellipse([138 * s, 90 * s, 342 * s, 300 * s], fill=colour)  # hair
    draw.ellipse([155 * s, 125 * s, 325 * s, 320 * s], fill=skin)  # face
    for x in (205, 275):  # eyes
        draw.ellipse([(x - 8) * s, 205 * s, (x + 8) * s, 221 * s], fill=(40, 35, 35))
    draw.arc([205 * s, 240 * s, 275 * s, 285 * s], 20, 160, fill=(120, 60, 60), width=round(5 * s))
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=88, optimize=True)
    return buffer.getvalue()
